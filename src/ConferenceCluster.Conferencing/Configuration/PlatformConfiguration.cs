namespace ConferenceCluster.Conferencing.Configuration;

/// <summary>
/// The system locations and Conferencing Nodes of a deployment, validated together because most of the seed's
/// topology rules relate a location to the nodes in it or to the locations it names.
/// </summary>
/// <remarks>
/// Severity decisions (docs/decisions.md):
/// <list type="bullet">
/// <item>Errors: dangling or duplicate names, and R12 (static-NAT and non-NAT nodes in one location, a "must not"
/// for which the seed defines no runtime behaviour).</item>
/// <item>Warnings: R9 (mixed roles), R10 (a media location holding Proxying Edge Nodes) and R11 (a location with
/// Proxying Edge Nodes transcoding in "This location"). The seed words R9/R10 as "should", and for all three it
/// describes what the platform then does (L2242: a mixed location behaves by each node's role; L2193: proxying nodes
/// in the transcoding location give no transcoding resource, so overflow is used). The allocator implements that
/// behaviour, so refusing these configurations would refuse deployments the seed says run.</item>
/// </list>
/// </remarks>
public sealed record PlatformConfiguration(IReadOnlyList<SystemLocation> Locations, IReadOnlyList<ConferencingNode> Nodes)
{
    public ValidationReport Validate()
    {
        var issues = new List<ConfigurationIssue>();
        foreach (var location in Locations) issues.AddRange(location.Validate().Issues);
        foreach (var node in Nodes) issues.AddRange(node.Validate().Issues);

        foreach (var duplicate in Locations.GroupBy(l => l.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            issues.Add(new(IssueSeverity.Error, $"system_location \"{duplicate.Key}\"", "name", "L3353", "Location names must be unique."));
        foreach (var duplicate in Nodes.GroupBy(n => n.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            issues.Add(new(IssueSeverity.Error, $"worker_vm \"{duplicate.Key}\"", "name", "L4570", "Conferencing Node names must be unique."));

        var byName = Locations.GroupBy(l => l.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var nodesByLocation = Nodes.GroupBy(n => n.SystemLocation, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        List<ConferencingNode> NodesIn(string location) => nodesByLocation.TryGetValue(location, out var nodes) ? nodes : [];

        foreach (var node in Nodes.Where(n => !string.IsNullOrWhiteSpace(n.SystemLocation) && !byName.ContainsKey(n.SystemLocation)))
            issues.Add(new(IssueSeverity.Error, $"worker_vm \"{node.Name}\"", "system_location", "L4581",
                $"System location \"{node.SystemLocation}\" does not exist."));

        foreach (var location in Locations)
        {
            var entity = $"system_location \"{location.Name}\"";
            var nodes = NodesIn(location.Name);
            bool hasProxying = nodes.Exists(n => n.Role == NodeRole.Proxying), hasTranscoding = nodes.Exists(n => n.Role == NodeRole.Transcoding);

            foreach (var (field, target) in new[]
                     {
                         ("transcoding_location", location.TranscodingLocation),
                         ("overflow_location1", location.PrimaryOverflowLocation),
                         ("overflow_location2", location.SecondaryOverflowLocation),
                     })
            {
                if (target is null) continue;
                if (!byName.ContainsKey(target))
                {
                    issues.Add(new(IssueSeverity.Error, entity, field, "L3370", $"System location \"{target}\" does not exist."));
                    continue;
                }
                if (target != location.Name && NodesIn(target).Exists(n => n.Role == NodeRole.Proxying))
                    issues.Add(new(IssueSeverity.Warning, entity, field, "R10",
                        $"\"{target}\" contains Proxying Edge Nodes; a transcoding or overflow location should contain only Transcoding Conferencing Nodes (L2146). Its proxying nodes will take no media."));
            }

            if (hasProxying && hasTranscoding)
                issues.Add(new(IssueSeverity.Warning, entity, "nodes", "R9",
                    "A system location should not contain a mixture of proxying nodes and transcoding nodes (L744); each node will behave by its own role (L2242)."));
            if (hasProxying && location.TranscodesInThisLocation)
                issues.Add(new(IssueSeverity.Warning, entity, "transcoding_location", "R11",
                    "This location contains Proxying Edge Nodes, so its Transcoding location must be another location with Transcoding Conferencing Nodes (L1546, L1563); until then its calls use overflow locations or are rejected (L2193)."));

            var natNodes = nodes.Count(n => !string.IsNullOrEmpty(n.StaticNatAddress));
            if (natNodes > 0 && natNodes < nodes.Count)
                issues.Add(new(IssueSeverity.Error, entity, "nodes", "R12",
                    "Nodes with a static NAT address must not share a system location with nodes without one (L1796)."));
        }
        return new ValidationReport(issues);
    }
}
