using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Tests;

/// <summary>Configuration defaults and validation (seed L3152–3378, L4569–4590, L5524–5557).</summary>
public class ConfigurationTests
{
    private static ConferencingNode Tcn(string name, string location) => new(name, location, NodeRole.Transcoding, CapacityUnits.FromHdCalls(10));
    private static ConferencingNode Pen(string name, string location) => new(name, location, NodeRole.Proxying, CapacityUnits.FromAudioCalls(100));

    [Fact]
    public void Defaults_follow_the_seed()
    {
        var location = new SystemLocation("London");
        Assert.True(location.TranscodesInThisLocation); // L3370 "This location"
        Assert.Equal("London", location.EffectiveTranscodingLocation);
        Assert.Null(location.PrimaryOverflowLocation);
        Assert.Equal(1500, location.Mtu); // L3367

        var global = GlobalSettings.Default;
        Assert.Equal(MaximumCallQuality.Hd, global.MaximumCallQuality); // L3171
        Assert.Equal(TimeSpan.FromMinutes(50), global.BurstingMinimumLifetime); // L2069
        Assert.Equal(60, global.GuestsOnlyTimeoutSeconds); // L3162
        Assert.True(global.Validate().IsValid);

        var room = new VirtualMeetingRoom("Alice");
        Assert.False(room.AllowGuests); // L5531
        Assert.Equal(ConferenceCapabilities.MainVideoAndPresentation, room.ConferenceCapabilities); // L5545
        Assert.Null(room.ParticipantLimit); // L5550
        Assert.Equal(MaximumCallQuality.Hd, room.EffectiveMaximumCallQuality(global)); // "Use global setting", L5546
        Assert.Equal(MaximumCallQuality.FullHd, (room with { MaximumCallQuality = MaximumCallQuality.FullHd }).EffectiveMaximumCallQuality(global));
    }

    [Fact]
    public void Media_location_chain_is_transcoding_then_primary_then_secondary_without_repeats_L2143()
    {
        var usa = new SystemLocation("USA") { PrimaryOverflowLocation = "Mexico", SecondaryOverflowLocation = "Canada" };
        Assert.Equal([("USA", MediaLocationRole.TranscodingLocation), ("Mexico", MediaLocationRole.PrimaryOverflowLocation), ("Canada", MediaLocationRole.SecondaryOverflowLocation)],
            usa.MediaLocationChain());
        var redundant = new SystemLocation("Edge") { TranscodingLocation = "Core", PrimaryOverflowLocation = "Core" };
        Assert.Equal([("Core", MediaLocationRole.TranscodingLocation)], redundant.MediaLocationChain());
    }

    [Fact]
    public void Dangling_location_references_are_errors_that_name_the_field()
    {
        var report = new PlatformConfiguration(
            [new SystemLocation("USA") { PrimaryOverflowLocation = "Atlantis" }],
            [Tcn("n1", "Nowhere")]).Validate();
        Assert.False(report.IsValid);
        Assert.Contains(report.Errors, i => i.Field == "overflow_location1" && i.Message.Contains("Atlantis"));
        Assert.Contains(report.Errors, i => i.Entity == "worker_vm \"n1\"" && i.Field == "system_location");
    }

    [Fact]
    public void Duplicate_names_are_errors()
    {
        var report = new PlatformConfiguration([new SystemLocation("A"), new SystemLocation("a")], [Tcn("n", "A"), Tcn("N", "A")]).Validate();
        Assert.Equal(2, report.Errors.Count(i => i.Field == "name"));
    }

    [Fact]
    public void Mixed_roles_in_a_location_is_a_warning_R9_L744()
    {
        var report = new PlatformConfiguration([new SystemLocation("Mixed")], [Tcn("t", "Mixed"), Pen("p", "Mixed")]).Validate();
        Assert.True(report.IsValid);
        Assert.Contains(report.Warnings, i => i.Rule == "R9");
    }

    [Fact]
    public void A_media_location_holding_proxying_nodes_is_a_warning_R10_L2146()
    {
        var report = new PlatformConfiguration(
            [new SystemLocation("Core") { PrimaryOverflowLocation = "Edge" }, new SystemLocation("Edge") { TranscodingLocation = "Core" }],
            [Tcn("t", "Core"), Pen("p", "Edge")]).Validate();
        Assert.True(report.IsValid);
        var warning = Assert.Single(report.Warnings);
        Assert.Equal(("R10", "overflow_location1", "system_location \"Core\""), (warning.Rule, warning.Field, warning.Entity));
    }

    [Fact]
    public void A_proxying_location_transcoding_in_this_location_is_a_warning_R11_L1546()
    {
        var report = new PlatformConfiguration([new SystemLocation("Edge")], [Pen("p", "Edge")]).Validate();
        Assert.True(report.IsValid);
        Assert.Equal("transcoding_location", Assert.Single(report.Warnings, i => i.Rule == "R11").Field);
    }

    [Fact]
    public void Static_NAT_and_non_NAT_nodes_in_one_location_is_an_error_R12_L1796()
    {
        var report = new PlatformConfiguration([new SystemLocation("DMZ")],
            [Tcn("a", "DMZ") with { StaticNatAddress = "198.51.100.7" }, Tcn("b", "DMZ")]).Validate();
        Assert.Contains(report.Errors, i => i.Rule == "R12");
    }

    [Fact]
    public void Node_validation_rejects_negative_capacity_and_proxying_bursting_nodes()
    {
        var node = Pen("p", "L") with { MediaCapacity = new CapacityUnits(-1), IsCloudBurstingNode = true };
        var report = node.Validate();
        Assert.Contains(report.Errors, i => i.Field == "media_capacity");
        Assert.Contains(report.Errors, i => i.Field == "role" && i.Rule == "R81");
    }

    [Theory]
    [InlineData("1234", null, false, true)]
    [InlineData("123", null, false, false)]       // too short (L5530)
    [InlineData("12345678901234567890#", null, false, false)] // 21 characters including '#'
    [InlineData("12a4", null, false, false)]      // digits only
    [InlineData(null, null, true, false)]         // Allow Guests needs a Host PIN (L5531)
    [InlineData(null, "1234", false, false)]      // no Guest PIN without a Host PIN (L5532)
    [InlineData("1234", "1234", true, false)]     // Guest PIN must differ
    [InlineData("1234", "12345", true, false)]    // same number of digits without '#'
    [InlineData("1234#", "12345#", true, true)]   // with '#' the lengths may differ (L7019)
    [InlineData("1234#", "5678", true, false)]    // both end in '#' or neither
    [InlineData("1234", "5678", true, true)]
    public void Pin_rules_R_PIN_1_L5530_to_L5532(string? hostPin, string? guestPin, bool allowGuests, bool valid)
    {
        var room = new VirtualMeetingRoom("room") { HostPin = hostPin, GuestPin = guestPin, AllowGuests = allowGuests };
        Assert.True(valid == room.Validate().IsValid, room.Validate().ToString());
    }

    [Fact]
    public void Aliases_must_be_unique_case_insensitively_and_free_of_wildcards_L5555_L6788()
    {
        var room = new VirtualMeetingRoom("room")
        {
            Aliases = [new("meet.alice"), new("Meet.Alice"), new("meet.*")],
            ParticipantLimit = 0,
        };
        var report = room.Validate();
        Assert.Contains(report.Errors, i => i.Field == "aliases[1].alias");
        Assert.Contains(report.Errors, i => i.Field == "aliases[2].alias");
        Assert.Contains(report.Errors, i => i.Field == "participant_limit");
    }

    [Fact]
    public void Global_settings_ranges_L3163_L3172()
    {
        var report = (GlobalSettings.Default with { LastParticipantBackstopTimeoutSeconds = 30, MaximumPresentationBandwidthRatioPercent = 80 }).Validate();
        Assert.Equal(["last_participant_backstop_timeout", "max_presentation_bandwidth_ratio"], report.Errors.Select(i => i.Field));
    }

    [Fact]
    public void Conference_media_policy_resolves_the_room_against_global_settings_L7659()
    {
        var policy = ConferenceMediaPolicy.For(new VirtualMeetingRoom("r") { ConferenceCapabilities = ConferenceCapabilities.AudioOnly },
            GlobalSettings.Default with { MaximumCallQuality = MaximumCallQuality.Sd });
        Assert.Equal(new ConferenceMediaPolicy(MaximumCallQuality.Sd, ConferenceCapabilities.AudioOnly), policy);
        Assert.True(policy.IsAudioOnly);
    }
}
