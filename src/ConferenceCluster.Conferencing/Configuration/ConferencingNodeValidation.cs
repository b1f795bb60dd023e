using ConferenceCluster.Conferencing.Capacity;

namespace ConferenceCluster.Conferencing.Configuration;

/// <summary>The configuration rules of a Conferencing Node record (the record itself is a contract in ConferenceCluster.Abstractions).</summary>
public static class ConferencingNodeValidation
{
    public static ValidationReport Validate(this ConferencingNode node)
    {
        var entity = FieldLimits.Entity("worker_vm", node.Name);
        var issues = new List<ConfigurationIssue>();
        if (string.IsNullOrWhiteSpace(node.Name))
            issues.Add(new(IssueSeverity.Error, "worker_vm", "name", "L4570", "A Conferencing Node needs a name."));
        issues.AddRange(new[]
        {
            FieldLimits.TooLong(entity, "name", node.Name, FieldLimits.Name, "L9511"),
            FieldLimits.TooLong(entity, "description", node.Description, FieldLimits.Description, "L9513"),
        }.OfType<ConfigurationIssue>());
        if (string.IsNullOrWhiteSpace(node.SystemLocation))
            issues.Add(new(IssueSeverity.Error, entity, "system_location", "L4581", "A Conferencing Node needs a system location."));
        if (node.MediaCapacity < CapacityUnits.Zero)
            issues.Add(new(IssueSeverity.Error, entity, "media_capacity", "R60", $"Media capacity {node.MediaCapacity} is negative."));
        if (node.IsCloudBurstingNode && node.Role != NodeRole.Transcoding)
            issues.Add(new(IssueSeverity.Error, entity, "role", "R81",
                "Cloud bursting nodes must be Transcoding Conferencing Nodes (L2065, L1586)."));
        return new ValidationReport(issues);
    }
}
