#!/usr/bin/python3
"""Renders deploy/compose.yaml for deploy/local-cluster.sh: the same services as local processes on 127.0.0.1.

Everything a silo gets comes from compose.yaml (anchors and merge keys resolved, ${VAR} interpolated from the
environment); only what a single host forces is rewritten, by fixed rules (docs/operations.md, "Local cluster"):
  - an address on the compose network (Silo__AdvertisedAddress, a dispatcher destination) -> 127.0.0.1;
  - Host=<compose service> in a connection string -> Host=127.0.0.1;Port=<that service's local port>;
  - a port the service publishes keeps its host number; an unpublished silo port becomes
    container port + 100 x the silo's number (compose order, from 1), so no two silos share a port;
  - every port, media ranges included, is shifted by --port-offset.

  render.py plan COMPOSE DATA_DIR OFFSET [--only a,b] [--env SERVICE:KEY=VALUE ...]
      writes DATA_DIR/<service>/environment (silos), DATA_DIR/<service>/migrate.environment (the schema step: the
      silo image run with --migrate), DATA_DIR/<service>/kamailio.cfg and dispatcher.list (dispatchers) and prints a
      bash-sourceable plan on stdout.
  render.py add-silo DATA_DIR NAME LOCATION [--env KEY=VALUE ...]
      a new silo of LOCATION: the environment of the location's first silo with its own name and ports; adds it to
      the location's dispatcher list; prints the silo's plan lines.
  render.py remove-destination DATA_DIR NAME
      takes a silo out of its location's dispatcher list; prints the dispatcher's name (empty if it had none).
"""

import json
import os
import re
import shlex
import sys

import yaml

LOCAL_ADDRESS = "127.0.0.1"
POSTGRES_LOCAL_PORT = 55462  # scripts/postgres.sh's default (55432) + 30: both can run side by side
DISPATCHER_LIST = "/etc/kamailio/dispatcher.list"
KAMAILIO_CONFIG = "/etc/kamailio/kamailio.cfg"
SILO_DEFAULT_PORTS = {"Silo__Ports__Silo": 11111, "Silo__Ports__Gateway": 30000, "Silo__Ports__Http": 8080, "Silo__Ports__Sip": 5060}
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def fail(message):
    print(f"render.py: {message}", file=sys.stderr)
    sys.exit(2)


def interpolate(text, where):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} from this process's environment."""
    def replace(match):
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        value = os.environ.get(name)
        empty = value is None or (operator and operator.startswith(":") and value == "")
        if operator and operator.endswith("?") and empty:
            fail(f"{where}: {name}: {argument or 'is not set'}")
        if operator and operator.endswith("-") and empty:
            return argument
        return value or ""
    return INTERPOLATION.sub(replace, text)


def published(service):
    """(container first, container last, host first, protocol) of each short-syntax port mapping."""
    result = []
    for entry in service.get("ports") or []:
        mapping, _, protocol = str(entry).partition("/")
        parts = mapping.split(":")
        container = [int(p) for p in parts[-1].split("-")]
        host = [int(p) for p in parts[-2].split("-")] if len(parts) >= 2 else container
        result.append((container[0], container[-1], host[0], protocol or "tcp"))
    return result


def host_port(service, container_port):
    for first, last, host, _ in published(service):
        if first <= container_port <= last:
            return host + container_port - first
    return None


def is_silo_image(service):
    build = service.get("build")
    context = build if isinstance(build, str) else (build or {}).get("context")
    return (context or "").rstrip("/") == ".." or str(service.get("image", "")).startswith("conferencecluster:")


def is_migration(service):
    """The schema step: the silo image with --migrate (it applies the cluster schema and exits)."""
    command = service.get("command") or []
    words = command.split() if isinstance(command, str) else [str(c) for c in command]
    return is_silo_image(service) and "--migrate" in words


def is_silo(service):
    return is_silo_image(service) and not is_migration(service)


def mounts(service):
    found = {}
    for volume in service.get("volumes") or []:
        parts = str(volume).split(":")
        if len(parts) >= 2:
            found[parts[1]] = parts[0]
    return found


def silo_environment(name, service, number, offset, local_ports, where):
    env = {str(k): interpolate("" if v is None else str(v), where) for k, v in (service.get("environment") or {}).items()}
    ports = {}
    for key, default in SILO_DEFAULT_PORTS.items():
        container = int(env.get(key, default))
        host = host_port(service, container)
        ports[key] = (host if host is not None else container + 100 * number) + offset
        env[key] = str(ports[key])
    first, last = (int(p) for p in env.get("Silo__Ports__MediaRange", "40000-49999").split("-"))
    env["Silo__Ports__MediaRange"] = f"{first + offset}-{last + offset}"
    env["Silo__AdvertisedAddress"] = LOCAL_ADDRESS
    if "Cluster__ConnectionString" in env:
        env["Cluster__ConnectionString"] = local_connection_string(env["Cluster__ConnectionString"], local_ports)
    return env, ports


def local_connection_string(text, local_ports):
    parts = [p for p in text.split(";") if p.strip()]
    result = []
    for part in parts:
        key, _, value = part.partition("=")
        if key.strip().lower() in ("host", "server") and value.strip() in local_ports:
            result.append(f"{key}={LOCAL_ADDRESS}")
            result.append(f"Port={local_ports[value.strip()]}")
        elif key.strip().lower() != "port":
            result.append(part)
    return ";".join(result)


def render_kamailio_config(text, listen_port, list_file, control_socket):
    """kamailio.cfg as compose mounts it, with the listeners, the list file and the control socket made local."""
    lines = []
    for line in text.splitlines():
        listen = re.match(r"^listen=(udp|tcp):0\.0\.0\.0:\d+(.*)$", line)
        if listen:
            line = f"listen={listen.group(1)}:{LOCAL_ADDRESS}:{listen_port}{listen.group(2)}"
        line = line.replace(f'"{DISPATCHER_LIST}"', json.dumps(list_file))
        lines.append(line)
        if line.startswith('loadmodule "dispatcher.so"'):
            # kamcmd's socket (dispatcher.reload when a silo is added or removed), in the data directory.
            lines.append('loadmodule "ctl.so"')
            lines.append(f'modparam("ctl", "binrpc", "unix:{control_socket}")')
    return "\n".join(lines) + "\n"


def render_dispatcher_list(text, silos_by_address):
    lines = []
    for line in text.splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            lines.append(line)
            continue
        destination = re.match(r"^(sips?:)([^:;>\s]+)(?::(\d+))?(.*)$", fields[1])
        silo = silos_by_address.get(destination.group(2)) if destination else None
        if silo is None:
            fail(f"dispatcher destination {fields[1]} is no silo of compose.yaml")
        fields[1] = f"{destination.group(1)}{LOCAL_ADDRESS}:{silo['sip']}{destination.group(4)}"
        lines.append(" ".join(fields))
    return "\n".join(lines) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_environment(directory, env, file_name="environment"):
    for key, value in env.items():
        if "\n" in value:
            fail(f"{key}: a value with a line break cannot be passed as an environment variable here")
    write(os.path.join(directory, file_name), "".join(f"{k}={v}\n" for k, v in env.items()))


def parse_overrides(arguments):
    """--env SERVICE:KEY=VALUE (plan) or --env KEY=VALUE (add-silo)."""
    overrides, rest, i = [], [], 0
    while i < len(arguments):
        if arguments[i] == "--env" and i + 1 < len(arguments):
            overrides.append(arguments[i + 1])
            i += 2
        else:
            rest.append(arguments[i])
            i += 1
    return overrides, rest


def plan(compose_path, data_dir, offset, only, overrides):
    with open(compose_path, encoding="utf-8") as f:
        compose = yaml.safe_load(f)
    deploy_dir = os.path.dirname(os.path.abspath(compose_path))
    services = compose.get("services") or {}
    selected = [n for n in services if not only or n in only]
    for name in only:
        if name not in services:
            fail(f"--only {name}: compose.yaml has no such service ({', '.join(services)})")

    postgres = [n for n, s in services.items() if str(s.get("image", "")).startswith("postgres")]
    local_ports = {n: POSTGRES_LOCAL_PORT + offset for n in postgres}
    out = [f"PG_PORT={POSTGRES_LOCAL_PORT + offset}"]
    for name in postgres:
        environment = {str(k): interpolate(str(v), name) for k, v in (services[name].get("environment") or {}).items()}
        out.append(f"PG_DATABASE={shlex.quote(environment.get('POSTGRES_DB', 'postgres'))}")
        out.append(f"PG_USER={shlex.quote(environment.get('POSTGRES_USER', 'postgres'))}")
        out.append(f"PG_PASSWORD={shlex.quote(environment.get('POSTGRES_PASSWORD', ''))}")

    # Always, as compose starts it for any silo that depends on it.
    migrations = []
    for name, service in services.items():
        if not is_migration(service):
            continue
        env = {str(k): interpolate("" if v is None else str(v), name) for k, v in (service.get("environment") or {}).items()}
        if "Cluster__ConnectionString" in env:
            env["Cluster__ConnectionString"] = local_connection_string(env["Cluster__ConnectionString"], local_ports)
        write_environment(os.path.join(data_dir, name), env, "migrate.environment")
        migrations.append(name)

    silos, by_address, number = [], {}, 0
    for name, service in services.items():
        if not is_silo(service):
            continue
        number += 1
        env, ports = silo_environment(name, service, number, offset, local_ports, name)
        from_compose = dict(env)
        for override in overrides:
            target, _, assignment = override.partition(":")
            key, _, value = assignment.partition("=")
            if target == name:
                env[key] = value
        networks = service.get("networks") or {}
        addresses = [n.get("ipv4_address") for n in networks.values() if isinstance(n, dict)]
        silo = {"name": name, "env": env, "sip": ports["Silo__Ports__Sip"], "http": ports["Silo__Ports__Http"],
                "location": env.get("Silo__Location", "default"), "role": env.get("Silo__Role", "transcoding"), "number": number}
        for address in [name, env.get("Silo__Name")] + addresses:
            if address:
                by_address[address] = silo
        if name in selected:
            silos.append(silo)
            write_environment(os.path.join(data_dir, name), env)
            # What compose alone gives it: a silo added later copies this, not the --env overrides of this one.
            write_environment(os.path.join(data_dir, name), from_compose, "compose.environment")

    dispatchers = []
    for name, service in services.items():
        mounted = mounts(service)
        if DISPATCHER_LIST not in mounted or name not in selected:
            continue
        location = re.search(r"dispatcher-([A-Za-z0-9._-]+)\.list$", mounted[DISPATCHER_LIST]).group(1)
        port = host_port(service, 5060)
        listen_port = (port if port is not None else 5060) + offset
        directory = os.path.join(data_dir, name)
        list_file = os.path.join(directory, "dispatcher.list")
        with open(os.path.join(deploy_dir, mounted[DISPATCHER_LIST]), encoding="utf-8") as f:
            dispatcher_list = render_dispatcher_list(f.read(), by_address)
        # Silos left out with --only are left out of the list too: Kamailio would only probe them dead.
        kept = [l for l in dispatcher_list.splitlines() if l.startswith("#") or not l.strip()
                or any(f"{LOCAL_ADDRESS}:{s['sip']}" in l for s in silos)]
        write(list_file, "\n".join(kept) + "\n")
        with open(os.path.join(deploy_dir, mounted[KAMAILIO_CONFIG]), encoding="utf-8") as f:
            config = render_kamailio_config(f.read(), listen_port, list_file, os.path.join(directory, "kamailio.ctl"))
        write(os.path.join(directory, "kamailio.cfg"), config)
        write(os.path.join(directory, "location"), location + "\n")
        dispatchers.append({"name": name, "location": location, "sip": listen_port})

    out.append("MIGRATIONS=(" + " ".join(migrations) + ")")
    out.append("SILOS=(" + " ".join(s["name"] for s in silos) + ")")
    out.append("DISPATCHERS=(" + " ".join(d["name"] for d in dispatchers) + ")")
    out.append("declare -A SILO_HTTP=(" + " ".join(f"[{s['name']}]={s['http']}" for s in silos) + ")")
    out.append("declare -A SILO_SIP=(" + " ".join(f"[{s['name']}]={s['sip']}" for s in silos) + ")")
    out.append("declare -A SILO_LOCATION=(" + " ".join(f"[{s['name']}]={shlex.quote(s['location'])}" for s in silos) + ")")
    out.append("declare -A SILO_ROLE=(" + " ".join(f"[{s['name']}]={shlex.quote(s['role'])}" for s in silos) + ")")
    out.append("declare -A DISPATCHER_SIP=(" + " ".join(f"[{d['name']}]={d['sip']}" for d in dispatchers) + ")")
    out.append("declare -A DISPATCHER_LOCATION=(" + " ".join(f"[{d['name']}]={shlex.quote(d['location'])}" for d in dispatchers) + ")")
    print("\n".join(out))


def read_environment(directory, file_name="environment"):
    env = {}
    with open(os.path.join(directory, file_name), encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            env[key] = value
    return env


def silo_directories(data_dir):
    for entry in sorted(os.listdir(data_dir)):
        if os.path.isfile(os.path.join(data_dir, entry, "environment")):
            yield entry


def dispatcher_of(data_dir, location):
    for entry in sorted(os.listdir(data_dir)):
        path = os.path.join(data_dir, entry, "location")
        if os.path.isfile(path) and open(path, encoding="utf-8").read().strip() == location:
            return entry
    return None


def add_silo(data_dir, name, location, overrides):
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        fail(f"silo name '{name}' must be letters, digits, '.', '_' or '-'")
    existing = {s: read_environment(os.path.join(data_dir, s)) for s in silo_directories(data_dir)}
    if name in existing:
        fail(f"{name} exists already")
    model = next((s for s, e in existing.items() if e.get("Silo__Location") == location), None)
    if model is None:
        fail(f"no silo of location {location} to copy the environment from ({', '.join(existing)})")
    compose_file = os.path.join(data_dir, model, "compose.environment")
    template = read_environment(os.path.join(data_dir, model), "compose.environment" if os.path.isfile(compose_file) else "environment")
    used = {int(e[k]) for e in existing.values() for k in SILO_DEFAULT_PORTS if k in e}
    env = dict(template)
    env["Silo__Name"] = name
    # The next free ports above every silo's, and a media range of the template's size above every range in use.
    for key in SILO_DEFAULT_PORTS:
        port = int(template[key]) + 1
        while port in used:
            port += 1
        used.add(port)
        env[key] = str(port)
    first, last = (int(p) for p in template["Silo__Ports__MediaRange"].split("-"))
    highest = max(int(e["Silo__Ports__MediaRange"].split("-")[1]) for e in existing.values())
    start = highest + 1 + (highest + 1) % 2
    env["Silo__Ports__MediaRange"] = f"{start}-{start + last - first}"
    write_environment(os.path.join(data_dir, name), env, "compose.environment")
    for override in overrides:
        key, _, value = override.partition("=")
        env[key] = value
    write_environment(os.path.join(data_dir, name), env)

    dispatcher = dispatcher_of(data_dir, location)
    if dispatcher and env.get("Silo__Role", "transcoding") == "transcoding":
        with open(os.path.join(data_dir, dispatcher, "dispatcher.list"), "a", encoding="utf-8") as f:
            f.write(f"1 sip:{LOCAL_ADDRESS}:{env['Silo__Ports__Sip']} 0 0 duid={name}\n")
    print(f"SILO_HTTP[{name}]={env['Silo__Ports__Http']}")
    print(f"SILO_SIP[{name}]={env['Silo__Ports__Sip']}")
    print(f"SILO_LOCATION[{name}]={shlex.quote(location)}")
    print(f"SILO_ROLE[{name}]={shlex.quote(env.get('Silo__Role', 'transcoding'))}")
    print(f"ADDED_DISPATCHER={shlex.quote(dispatcher or '')}")


def remove_destination(data_dir, name):
    env = read_environment(os.path.join(data_dir, name))
    dispatcher = dispatcher_of(data_dir, env.get("Silo__Location", ""))
    if dispatcher:
        path = os.path.join(data_dir, dispatcher, "dispatcher.list")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        target = f"sip:{LOCAL_ADDRESS}:{env['Silo__Ports__Sip']}"
        write(path, "\n".join(l for l in lines if target not in l.split()) + "\n")
    print(dispatcher or "")


def main(arguments):
    overrides, arguments = parse_overrides(arguments)
    if arguments[:1] == ["plan"] and len(arguments) >= 4:
        only = []
        if "--only" in arguments:
            only = [s for s in arguments[arguments.index("--only") + 1].split(",") if s]
        plan(arguments[1], arguments[2], int(arguments[3]), only, overrides)
    elif arguments[:1] == ["add-silo"] and len(arguments) == 4:
        add_silo(arguments[1], arguments[2], arguments[3], overrides)
    elif arguments[:1] == ["remove-destination"] and len(arguments) == 3:
        remove_destination(arguments[1], arguments[2])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
