using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;

namespace ConferenceCluster.Silo.Api.Admin.Configuration;

/// <summary>
/// A Conferencing Node as <c>/api/admin/configuration/v1/worker_vm/</c> shows it. <c>node_type</c> is Pexip's
/// "conferencing" (a Transcoding Conferencing Node) or "proxying" (a Proxying Edge Node); <c>max_audio_calls</c> is the
/// capacity as <c>Silo:Capacity:AudioCalls</c> gives it (1/12 HD each).
/// </summary>
public sealed record WorkerVmDto(
    string Name,
    string Description,
    string? SystemLocation,
    string NodeType,
    bool MaintenanceMode,
    long MaxAudioCalls,
    string? StaticNatAddress,
    bool CloudBursting,
    bool Managed);

public sealed class WorkerVmResource : ConfigurationResource<NodeRecord, WorkerVmDto>
{
    public override string Resource => ConfigurationCollections.Nodes;

    protected override string NameOf(NodeRecord value) => value.Node.Name;

    protected override NodeRecord New(string name) =>
        new(new ConferencingNode(name, "", NodeRole.Transcoding, CapacityUnits.FromAudioCalls(new Conferencing.ConferencingOptions().DefaultCapacityAudioCalls)), NodeOrigin.Operator);

    protected override Task<IReadOnlyList<Versioned<NodeRecord>>> ListAsync(ConfigurationRepository repository, CancellationToken ct) =>
        repository.ListNodesAsync(ct);

    protected override Task<Versioned<NodeRecord>?> GetAsync(ConfigurationRepository repository, string name, CancellationToken ct) =>
        repository.GetNodeAsync(name, ct);

    protected override async Task<WorkerVmDto> ToDtoAsync(NodeRecord value, ConfigurationReferences references, CancellationToken ct)
    {
        var node = value.Node;
        return new WorkerVmDto(
            node.Name,
            node.Description,
            string.IsNullOrEmpty(node.SystemLocation) ? null : await references.UriOfAsync(ConfigurationApi.SystemLocations, node.SystemLocation, ct),
            node.Role == NodeRole.Proxying ? "proxying" : "conferencing",
            node.MaintenanceMode,
            node.MediaCapacity.WholeAudioCalls,
            node.StaticNatAddress,
            node.IsCloudBurstingNode,
            // True once an operator owns the record; false while the silo keeps it from its own settings.
            value.Origin == NodeOrigin.Operator);
    }

    protected override async Task<(NodeRecord? Value, IResult? Error)> FromDtoAsync(WorkerVmDto dto, ConfigurationReferences references, CancellationToken ct)
    {
        var (location, error) = await references.ResolveAsync(ConfigurationApi.SystemLocations, dto.SystemLocation, "system_location", ct);
        if (error is not null) return (null, error);
        NodeRole? role = dto.NodeType switch { "conferencing" => NodeRole.Transcoding, "proxying" => NodeRole.Proxying, _ => null };
        if (role is null)
            return (null, ApiError.Result(StatusCodes.Status400BadRequest, "node_type is conferencing or proxying", "node_type"));
        if (dto.MaxAudioCalls < 0)
            return (null, ApiError.Result(StatusCodes.Status400BadRequest, "max_audio_calls cannot be negative", "max_audio_calls"));
        return (new NodeRecord(new ConferencingNode(dto.Name, location ?? "", role.Value, CapacityUnits.FromAudioCalls(dto.MaxAudioCalls))
        {
            Description = dto.Description ?? "",
            MaintenanceMode = dto.MaintenanceMode,
            StaticNatAddress = string.IsNullOrEmpty(dto.StaticNatAddress) ? null : dto.StaticNatAddress,
            IsCloudBurstingNode = dto.CloudBursting,
        }, NodeOrigin.Operator), null);
    }

    protected override string ApiField(string domainField) => domainField switch
    {
        "media_capacity" => "max_audio_calls",
        "role" => "node_type",
        _ => domainField,
    };

    protected override async Task<ConfigurationWriteOutcome> CreateAsync(ConfigurationRepository repository, NodeRecord value, CancellationToken ct) =>
        ConfigurationWriteOutcome.Of(await repository.CreateNodeAsync(value.Node, ct));

    protected override async Task<ConfigurationWriteOutcome> UpdateAsync(ConfigurationRepository repository, NodeRecord value, long expectedVersion, CancellationToken ct) =>
        ConfigurationWriteOutcome.Of(await repository.UpdateNodeAsync(value.Node, expectedVersion, ct));

    protected override async Task<ConfigurationWriteOutcome> DeleteAsync(ConfigurationRepository repository, string name, long expectedVersion, CancellationToken ct) =>
        ConfigurationWriteOutcome.Of(await repository.DeleteNodeAsync(name, expectedVersion, ct));
}
