using System.Globalization;
using System.Net;
using ConferenceCluster.LoadTest.Audio;
using ConferenceCluster.LoadTest.Participants;
using ConferenceCluster.Sip.Uris;

namespace ConferenceCluster.LoadTest.Running;

/// <summary>A join the schedule asks for: participant <see cref="Participant"/> calls at <see cref="AtMs"/> after the start.</summary>
public readonly record struct PlannedJoin(double AtMs, int Participant);

/// <summary>
/// Turns options into who calls where and when: participants are dealt round robin over the conferences (so
/// every conference grows at the same pace), the first K of each conference are its talkers, and targets are
/// chosen per participant (round robin) or per conference (one location each). Pure: no sockets, no clock.
/// </summary>
public static class RunPlanner
{
    public static IReadOnlyList<ParticipantPlan> PlanParticipants(LoadTestOptions options)
    {
        var locations = options.Targets.GroupBy(t => t.Location, StringComparer.Ordinal).Select(g => g.ToArray()).ToArray();
        var talkerTones = Enumerable.Range(0, options.TalkersPerConference).Select(ToneFrequencyPlan.FrequencyOf).ToArray();
        var guestEvery = options.GuestRatio > 0 ? 1 / options.GuestRatio : double.PositiveInfinity;
        var plans = new List<ParticipantPlan>(options.TotalParticipants);
        for (var i = 0; i < options.TotalParticipants; i++)
        {
            var conference = i % options.Conferences;
            var slot = i / options.Conferences;
            var alias = string.Format(CultureInfo.InvariantCulture, options.AliasFormat, conference + 1);
            var (nextHop, uri) = Route(options, locations, i, conference, slot, alias);
            // Guests are spread evenly over each conference's slots rather than drawn, so a rerun plans the same; the
            // first to join a conference is always a host, since guests wait on the PIN screen until a host is in.
            var isGuest = options.GuestPin is not null && slot > 0 && Math.Floor((slot + 1) / guestEvery) > Math.Floor(slot / guestEvery);
            plans.Add(new ParticipantPlan
            {
                Index = i,
                Conference = conference,
                Slot = slot,
                Alias = alias,
                RequestUri = uri,
                NextHop = nextHop,
                IsTalker = slot < options.TalkersPerConference,
                TalkerTonesHz = talkerTones,
                Pin = options.HostPin is null ? null : isGuest ? options.GuestPin : options.HostPin,
                IsGuest = isGuest,
            });
        }
        return plans;
    }

    /// <summary>The steady load evenly over the ramp, then (surge profile) the spike evenly over its window, in time order.</summary>
    public static IReadOnlyList<PlannedJoin> PlanJoins(LoadTestOptions options)
    {
        var joins = new List<PlannedJoin>(options.TotalParticipants);
        for (var i = 0; i < options.Participants; i++)
            joins.Add(new PlannedJoin(options.Ramp.TotalMilliseconds * i / options.Participants, i));
        if (options.Profile == LoadProfile.Surge)
        {
            for (var j = 0; j < options.SurgeParticipants; j++)
                joins.Add(new PlannedJoin(options.SurgeAt.TotalMilliseconds + options.SurgeOver.TotalMilliseconds * j / options.SurgeParticipants, options.Participants + j));
        }
        return joins.OrderBy(j => j.AtMs).ToList();
    }

    /// <summary>When the run ends by itself: the ramp profile after the last join plus the hold; the others at the duration.</summary>
    public static TimeSpan PlannedEnd(LoadTestOptions options) => options.Profile == LoadProfile.Ramp
        ? TimeSpan.FromTicks(Math.Min((options.Ramp + options.Hold).Ticks, options.Duration.Ticks))
        : options.Duration;

    private static (IPEndPoint NextHop, SipUri RequestUri) Route(LoadTestOptions options, SipTarget[][] locations, int participant, int conference, int slot, string alias)
    {
        if (options.FrontDoor is { } frontDoor) return (frontDoor, SipUri.Create(options.Domain!, alias));
        var target = options.TargetMode == TargetMode.PerLocation
            ? locations[conference % locations.Length] is var location ? location[slot % location.Length] : null
            : options.Targets[participant % options.Targets.Count];
        var endPoint = target!.EndPoint;
        return (endPoint, SipUri.Create(endPoint.Address.ToString(), alias, endPoint.Port));
    }
}
