# One silo (Conferencing Node) per container. Configure it only through environment variables, e.g.
#   docker run -e Cluster__Storage=postgres -e Cluster__ConnectionString="Host=db;..." \
#              -e Silo__Name=node-1 -e Silo__AdvertisedAddress=10.0.0.7 -p 8080:8080 ... conferencecluster
# Keys: docs/operations.md.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
# Project files first, so the restore layer survives source-only changes.
COPY global.json Directory.Build.props ConferenceCluster.sln ./
COPY src/Directory.Build.props src/
COPY src/ConferenceCluster.Abstractions/ConferenceCluster.Abstractions.csproj src/ConferenceCluster.Abstractions/
COPY src/ConferenceCluster.Storage/ConferenceCluster.Storage.csproj src/ConferenceCluster.Storage/
COPY src/ConferenceCluster.Conferencing/ConferenceCluster.Conferencing.csproj src/ConferenceCluster.Conferencing/
COPY src/ConferenceCluster.Sip/ConferenceCluster.Sip.csproj src/ConferenceCluster.Sip/
COPY src/ConferenceCluster.Media/ConferenceCluster.Media.csproj src/ConferenceCluster.Media/
COPY src/ConferenceCluster.Gateway/ConferenceCluster.Gateway.csproj src/ConferenceCluster.Gateway/
COPY src/ConferenceCluster.Silo/ConferenceCluster.Silo.csproj src/ConferenceCluster.Silo/
RUN dotnet restore src/ConferenceCluster.Silo/ConferenceCluster.Silo.csproj
COPY src/ src/
RUN dotnet publish src/ConferenceCluster.Silo/ConferenceCluster.Silo.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# libopus0, libvpx7: Opus and VP8 codecs of the media path; curl: the HEALTHCHECK. (SQLite comes with Microsoft.Data.Sqlite.)
RUN apt-get update \
    && apt-get install -y --no-install-recommends libopus0 libvpx7 curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
# The working directory holds the default SQLite cluster database (./data/cluster.db); mount a volume to keep it.
RUN mkdir -p /var/lib/conferencecluster/data && chown -R "$APP_UID" /var/lib/conferencecluster
WORKDIR /var/lib/conferencecluster
VOLUME /var/lib/conferencecluster/data
USER $APP_UID

# The silo binds Silo__Ports__Http itself; the base image's ASPNETCORE_HTTP_PORTS would only draw a warning.
ENV ASPNETCORE_HTTP_PORTS= \
    Silo__Ports__Silo=11111 \
    Silo__Ports__Gateway=30000 \
    Silo__Ports__Http=8080 \
    Silo__Ports__Sip=5060
# silo-to-silo, client gateway, HTTP (health + management API), SIP
# RTP: Silo__Ports__MediaRange (default 40000-49999/udp) must be published too, or use host networking.
EXPOSE 11111 30000 8080 5060/udp 5060/tcp 40000-49999/udp
# Healthy = ready to serve a call (HTTP opens once the silo is active; 503 while it drains after SIGTERM).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${Silo__Ports__Http}/health/ready" >/dev/null || exit 1
# `--migrate` (as compose's migrate service and Kubernetes' init container run it) applies the cluster schema and exits.
ENTRYPOINT ["dotnet", "/app/ConferenceCluster.Silo.dll"]
