using System.Runtime.InteropServices;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Rtp;

namespace ConferenceCluster.Media.Mixing;

/// <summary>
/// Decodes, on request, the frames the mixer was given by level only (<see cref="ConferenceMixer.SubmitLevel"/>): the
/// media layer's streams, which hold the frame's packet until the tick is mixed.
/// </summary>
public interface IPendingFrameDecoder
{
    /// <summary>Decodes the participant's pending frame of this tick into <paramref name="frame"/>.</summary>
    /// <returns>False when it produced nothing to mix (the packet was silence).</returns>
    bool DecodePendingFrame(MixerParticipantId id, Span<short> frame);

    /// <summary>The mixer stopped believing the participant's levels until tick <paramref name="untilTick"/>: submit decoded frames until then.</summary>
    void OnLevelsDistrusted(MixerParticipantId id, long untilTick);
}

/// <summary>
/// The audio mixer of one conference on one node. A media worker owns it and, every 20 ms tick, submits the
/// decoded 48 kHz frame of each participant that sent audio, then calls <see cref="Mix"/> and sends each
/// listener the payload its <see cref="ListenerOutput"/> points at.
/// </summary>
/// <remarks>
/// <para>One tick, in order:</para>
/// <list type="number">
/// <item>Pick the speaker set among the <see cref="MixRole.Endpoint"/> participants: the N loudest voices, with
/// hysteresis (<see cref="SpeakerSelector"/>). Backplanes carry the pre-mixed audio of a whole node or location and
/// are always mixed, outside the selection.</item>
/// <item>Sum the set's decoded frames and every backplane's into the int32 mix bus (<see cref="MixKernels.Accumulate"/>),
/// geo backplanes last so that the bus just before them (kept only when there is a geo backplane) is the
/// split-horizon mix; then saturate once into the full-mix PCM (<see cref="MixKernels.SaturateToInt16"/>).</item>
/// <item>Each speaker-set member and each local backplane gets its own mix-minus, bus − own frame saturated to int16
/// (<see cref="MixKernels.SubtractAndSaturate"/>), encoded by its own encoder. Each geo backplane gets the split-horizon
/// mix (everything but the geo inputs, see docs/decisions.md), encoded by its own encoder.</item>
/// <item>Every other endpoint hears the same full mix: for each codec group (<see cref="EncoderProfile"/>) with at least one
/// such listener, the full mix is encoded <b>once</b> and that one <see cref="MixOutput"/> is handed to all of them
/// (Asterisk ConfBridge's shared translator). Encodes per tick = speakers + backplanes + codec groups, not participants.</item>
/// </list>
/// <para>
/// A member keeps its own encoder for as long as it is in the set, even on a tick where it sent no frame (its
/// mix-minus is then just the full mix): the set is stable by design, so each listener's Opus stream comes from
/// one encoder for long stretches, and switches between its own and its group's encoder only when the set
/// changes. Silent conferences still produce one full-mix payload per group per tick (silence; with Opus DTX a
/// 1–2 byte packet the worker need not send).
/// </para>
/// <para>
/// <b>Levels instead of decodes.</b> A participant whose sender tells its loudness (RFC 6464) is submitted by level
/// (<see cref="SubmitLevel"/>) and its frame decoded through <see cref="IPendingFrameDecoder"/> only when it is in
/// the speaker set, so the quiet majority costs no decode. A level is a claim: a chosen participant whose frame decodes
/// <see cref="ConferenceMixerOptions.LevelLieMarginDb"/> quieter than claimed gets a strike, and
/// <see cref="ConferenceMixerOptions.LevelLieStrikes"/> strikes in a row make the mixer ignore its levels for
/// <see cref="ConferenceMixerOptions.LevelDistrustTicks"/> (it is then decoded every tick like a sender without levels);
/// <see cref="ConferenceMixerOptions.LevelAuditsPerTick"/> quiet-claiming participants are decoded each tick, round
/// robin, and one found much louder than it claimed loses trust at once. So a liar can neither hold the floor nor hide.
/// Members are judged by their decoded energy, never by their claim.
/// </para>
/// <para>
/// Allocation: participants' buffers, encoders and outputs are created at <see cref="AddParticipant"/>; a tick
/// allocates nothing. Not thread-safe: a conference's mixer is pinned to one worker thread.
/// </para>
/// </remarks>
public sealed class ConferenceMixer : IDisposable
{
    private readonly ConferenceMixerOptions _options;
    private readonly SpeakerSelector _speakers;

    /// <summary>int32 sum of every mixed input: exact, saturated only on the way out.</summary>
    private readonly int[] _mixBus;

    /// <summary>The bus before the geo backplanes' inputs were added: what a geo backplane hears.</summary>
    private readonly int[] _splitHorizonBus;

    /// <summary>The saturated full mix, shared by every codec group's output.</summary>
    private readonly short[] _fullMixPcm;

    /// <summary>Participants in join order (the order of <see cref="MixTickResult.ListenerOutputs"/>).</summary>
    private readonly List<MixParticipant> _participants = [];

    /// <summary>Endpoints in join order (the tie-break order of speaker selection).</summary>
    private readonly List<MixParticipant> _endpoints = [];

    /// <summary>Local backplanes, then geo backplanes, each in join order: the order their inputs are summed.</summary>
    private readonly List<MixParticipant> _localBackplanes = [];
    private readonly List<MixParticipant> _geoBackplanes = [];

    private readonly Dictionary<MixerParticipantId, MixParticipant> _participantsById = [];
    private readonly List<CodecGroup> _codecGroups = [];
    private readonly Dictionary<EncoderProfile, CodecGroup> _codecGroupsByProfile = [];

    private ListenerOutput[] _listenerOutputs = new ListenerOutput[16];
    private readonly MixerParticipantId[] _speakerSetIds;
    private readonly double _lieRatio;
    private readonly double _silenceLevel;
    private int _auditCursor;
    private bool _disposed;

    public ConferenceMixer(ConferenceMixerOptions? options = null)
    {
        _options = options ?? new ConferenceMixerOptions();
        _options.Validate();
        _speakers = new SpeakerSelector(_options);
        _mixBus = new int[_options.FrameSamples];
        _splitHorizonBus = new int[_options.FrameSamples];
        _fullMixPcm = new short[_options.FrameSamples];
        _speakerSetIds = new MixerParticipantId[_options.MaxMixedSpeakers];
        _lieRatio = Math.Pow(10, _options.LevelLieMarginDb / 10);
        _silenceLevel = Math.Pow(10, _options.SilenceThresholdDbfs / 10);
    }

    /// <summary>Frames decoded through <see cref="IPendingFrameDecoder"/> so far (chosen speakers and audits).</summary>
    public long PendingDecodes { get; private set; }

    /// <summary>Times a participant's levels were found lying and ignored.</summary>
    public long LevelsDistrusted { get; private set; }

    public ConferenceMixerOptions Options => _options;

    public int ParticipantCount => _participants.Count;

    /// <summary>Backplane participants (local and geo) among <see cref="ParticipantCount"/>.</summary>
    public int BackplaneCount => _localBackplanes.Count + _geoBackplanes.Count;

    /// <summary>Ticks mixed so far.</summary>
    public long TickCount { get; private set; }

    /// <summary>Distinct codec settings among the endpoint participants (the number of shared full-mix encoders).</summary>
    public int CodecGroupCount => _codecGroups.Count;

    /// <summary>
    /// Adds a participant that will listen with <paramref name="profile"/> (and may speak). Creates its encoder and
    /// buffers now, and, for an endpoint, its codec group's encoder if it is the first with that profile. A backplane
    /// is in no codec group: it always gets its own output.
    /// </summary>
    /// <exception cref="ArgumentException">The id is already in this mixer, or the profile is <c>default</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The role is not a <see cref="MixRole"/>.</exception>
    public void AddParticipant(MixerParticipantId id, EncoderProfile profile, MixRole role = MixRole.Endpoint)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_participantsById.ContainsKey(id))
        {
            throw new ArgumentException($"Participant {id} is already in this mixer.", nameof(id));
        }

        if (!Enum.IsDefined(profile.Codec))
        {
            throw new ArgumentException("The encoder profile names no codec; build it with EncoderProfile.ForOpus, Pcmu, Pcma or L16.", nameof(profile));
        }

        if (!Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown mix role.");
        }

        CodecGroup? group = null;
        bool newGroup = role == MixRole.Endpoint && !_codecGroupsByProfile.TryGetValue(profile, out group);
        if (newGroup)
        {
            group = new CodecGroup(profile, _options.EncoderFactory(profile), _fullMixPcm);
        }

        MixParticipant participant;
        try
        {
            participant = new MixParticipant(id, role, profile, group, _options.EncoderFactory(profile), _options.FrameSamples);
        }
        catch
        {
            if (newGroup)
            {
                group!.Dispose();
            }

            throw;
        }

        if (newGroup)
        {
            _codecGroups.Add(group!);
            _codecGroupsByProfile.Add(profile, group!);
        }

        if (group is not null)
        {
            group.MemberCount++;
        }

        _participants.Add(participant);
        ListOf(role).Add(participant);
        _participantsById.Add(id, participant);
        if (_listenerOutputs.Length < _participants.Count)
        {
            Array.Resize(ref _listenerOutputs, _listenerOutputs.Length * 2);
        }
    }

    /// <summary>Removes a participant, releasing its encoder (and its group's, if it was the last one).</summary>
    /// <returns>False if the id was not in this mixer.</returns>
    public bool RemoveParticipant(MixerParticipantId id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_participantsById.Remove(id, out MixParticipant? participant))
        {
            return false;
        }

        _speakers.Remove(participant);
        _participants.Remove(participant);
        ListOf(participant.Role).Remove(participant);
        participant.Dispose();

        if (participant.Group is { } group && --group.MemberCount == 0)
        {
            _codecGroups.Remove(group);
            _codecGroupsByProfile.Remove(group.Profile);
            group.Dispose();
        }

        return true;
    }

    public bool Contains(MixerParticipantId id) => _participantsById.ContainsKey(id);

    /// <summary>Whether the participant is in the speaker set chosen on the last tick (never true for a backplane).</summary>
    public bool IsInSpeakerSet(MixerParticipantId id) => _participantsById.TryGetValue(id, out MixParticipant? participant) && participant.InSpeakerSet;

    /// <summary>Whether the mixer currently takes the participant's RFC 6464 levels as hints (false for a while after they lied).</summary>
    public bool TrustsLevels(MixerParticipantId id) => _participantsById.TryGetValue(id, out MixParticipant? participant) && participant.LevelsDistrustedUntilTick <= TickCount;

    /// <summary>The participant's smoothed speech level in dBFS (−∞ … 0) and whether it is mixed, as of the last tick.</summary>
    public (double LevelDbfs, bool InSpeakerSet) SpeechOf(MixerParticipantId id) =>
        _participantsById.TryGetValue(id, out MixParticipant? participant)
            ? (10 * Math.Log10(Math.Max(participant.SpeechLevel, 1e-13)), participant.InSpeakerSet)
            : throw new ArgumentException($"Participant {id} is not in this mixer.", nameof(id));

    internal MixParticipant ParticipantOf(MixerParticipantId id) => _participantsById[id];

    /// <summary>
    /// Hands the mixer a participant's frame for the coming tick by the level its sender claimed (RFC 6464), without
    /// decoding it. If the participant is chosen (or audited), the frame is decoded during <see cref="Mix(IPendingFrameDecoder?)"/>.
    /// </summary>
    public void SubmitLevel(MixerParticipantId id, AudioLevel level)
    {
        MixParticipant participant = Submitting(id);
        participant.ClaimedLevel = level.Power;
        participant.FrameLevel = participant.Role == MixRole.Endpoint ? level.Power : 0;
        participant.FramePending = true;
        participant.HasFrame = true;
    }

    /// <summary>
    /// Hands the mixer a participant's decoded frame for the coming tick (copied; the span may be reused at once).
    /// A participant that sends nothing this tick (silence suppression, DTX, empty jitter buffer) is simply not
    /// submitted: it contributes nothing and still hears the mix.
    /// </summary>
    /// <param name="decodedFrame">48 kHz mono, exactly <see cref="ConferenceMixerOptions.FrameSamples"/> samples.</param>
    /// <exception cref="ArgumentException">Unknown participant, or a frame of the wrong length.</exception>
    /// <exception cref="InvalidOperationException">A frame was already submitted for this participant this tick.</exception>
    public void SubmitFrame(MixerParticipantId id, ReadOnlySpan<short> decodedFrame)
    {
        if (decodedFrame.Length != _options.FrameSamples)
        {
            throw new ArgumentException($"A decoded frame has {_options.FrameSamples} samples at 48 kHz, not {decodedFrame.Length}.", nameof(decodedFrame));
        }

        MixParticipant participant = Submitting(id);
        decodedFrame.CopyTo(participant.DecodedFrame);
        if (participant.Role == MixRole.Endpoint)
        {
            // Only endpoints compete for the speaker set, so only they need a level.
            participant.FrameLevel = MixKernels.SumOfSquares(decodedFrame) / (decodedFrame.Length * FullScaleSquare);
        }

        participant.HasFrame = true;
    }

    /// <summary>
    /// Mixes the submitted frames and encodes every listener's output. The result and the <see cref="MixOutput"/>s
    /// it points at stay valid until the next call.
    /// </summary>
    public MixTickResult Mix() => Mix(null);

    /// <summary>
    /// Mixes as <see cref="Mix()"/>, decoding the pending frames (<see cref="SubmitLevel"/>) of the speaker set and of
    /// this tick's audits through <paramref name="pending"/>; pending frames of everyone else stay undecoded.
    /// </summary>
    public MixTickResult Mix(IPendingFrameDecoder? pending)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long tick = ++TickCount;

        // Members, and participants whose levels lied, are judged by what they really sent: decode theirs before choosing.
        ResolvePendingFramesOfMembersAndDistrusted(pending, tick);
        _speakers.Select(_endpoints);
        ReadOnlySpan<MixParticipant> speakerSet = _speakers.Members;
        ResolvePendingFramesOf(speakerSet, pending, tick);
        AuditClaimedLevels(pending, tick);

        Span<int> mixBus = _mixBus;
        mixBus.Clear();
        int mixedVoices = AccumulateFramesOf(speakerSet, mixBus) + AccumulateFramesOf(CollectionsMarshal.AsSpan(_localBackplanes), mixBus);
        int splitHorizonVoices = mixedVoices;
        if (_geoBackplanes.Count > 0)
        {
            mixBus.CopyTo(_splitHorizonBus);
            mixedVoices += AccumulateFramesOf(CollectionsMarshal.AsSpan(_geoBackplanes), mixBus);
        }

        MixKernels.SaturateToInt16(mixBus, _fullMixPcm);

        int encodeCount = 0;
        for (int i = 0; i < speakerSet.Length; i++)
        {
            _speakerSetIds[i] = speakerSet[i].Id;
            EncodeMixMinus(speakerSet[i], tick, mixedVoices);
            encodeCount++;
        }

        foreach (MixParticipant backplane in _localBackplanes)
        {
            EncodeMixMinus(backplane, tick, mixedVoices);
            encodeCount++;
        }

        if (_geoBackplanes.Count > 0)
        {
            // Every geo backplane hears the same split-horizon PCM; each still has its own encoder (one stream per link).
            short[] splitHorizonPcm = _geoBackplanes[0].MixMinusPcm;
            MixKernels.SaturateToInt16(_splitHorizonBus, splitHorizonPcm);
            foreach (MixParticipant backplane in _geoBackplanes)
            {
                if (backplane.MixMinusPcm != splitHorizonPcm)
                {
                    splitHorizonPcm.CopyTo(backplane.MixMinusPcm);
                }

                backplane.MixMinusOutput.EncodeLater(backplane.OwnEncoder, tick, splitHorizonVoices);
                encodeCount++;
            }
        }

        foreach (CodecGroup group in _codecGroups)
        {
            group.SharedListenersThisTick = 0;
        }

        Span<ListenerOutput> listenerOutputs = _listenerOutputs.AsSpan(0, _participants.Count);
        for (int i = 0; i < _participants.Count; i++)
        {
            MixParticipant participant = _participants[i];
            if (participant.Group is { } group && !participant.InSpeakerSet)
            {
                group.SharedListenersThisTick++;
                listenerOutputs[i] = new ListenerOutput(participant.Id, group.FullMixOutput);
            }
            else
            {
                listenerOutputs[i] = new ListenerOutput(participant.Id, participant.MixMinusOutput);
            }

            participant.HasFrame = false;
            participant.FramePending = false;
        }

        // One encode per codec group that has a listener outside the speaker set; idle groups skip the tick.
        foreach (CodecGroup group in _codecGroups)
        {
            if (group.SharedListenersThisTick > 0)
            {
                group.FullMixOutput.Encode(group.Encoder, _fullMixPcm, tick, mixedVoices);
                encodeCount++;
            }
        }

        return new MixTickResult(tick, listenerOutputs, _speakerSetIds.AsSpan(0, speakerSet.Length), mixedVoices, encodeCount);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (MixParticipant participant in _participants)
        {
            participant.Dispose();
        }

        foreach (CodecGroup group in _codecGroups)
        {
            group.Dispose();
        }

        _participants.Clear();
        _endpoints.Clear();
        _localBackplanes.Clear();
        _geoBackplanes.Clear();
        _participantsById.Clear();
        _codecGroups.Clear();
        _codecGroupsByProfile.Clear();
    }

    private List<MixParticipant> ListOf(MixRole role) => role switch
    {
        MixRole.LocalBackplane => _localBackplanes,
        MixRole.GeoBackplane => _geoBackplanes,
        _ => _endpoints,
    };

    /// <summary>Adds the frame of each of <paramref name="inputs"/> that sent one to the bus.</summary>
    /// <returns>The number of frames added.</returns>
    private static int AccumulateFramesOf(ReadOnlySpan<MixParticipant> inputs, Span<int> mixBus)
    {
        int added = 0;
        foreach (MixParticipant input in inputs)
        {
            if (input.HasFrame)
            {
                MixKernels.Accumulate(mixBus, input.DecodedFrame);
                added++;
            }
        }

        return added;
    }

    /// <summary>Encodes the bus minus the participant's own frame (the full mix if it sent none) with its own encoder.</summary>
    private void EncodeMixMinus(MixParticipant participant, long tick, int mixedVoices)
    {
        if (participant.HasFrame)
        {
            MixKernels.SubtractAndSaturate(_mixBus, participant.DecodedFrame, participant.MixMinusPcm);
            participant.MixMinusOutput.EncodeLater(participant.OwnEncoder, tick, mixedVoices - 1);
        }
        else
        {
            _fullMixPcm.CopyTo(participant.MixMinusPcm);
            participant.MixMinusOutput.EncodeLater(participant.OwnEncoder, tick, mixedVoices);
        }
    }

    private MixParticipant Submitting(MixerParticipantId id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_participantsById.TryGetValue(id, out MixParticipant? participant))
        {
            throw new ArgumentException($"Participant {id} is not in this mixer.", nameof(id));
        }

        if (participant.HasFrame)
        {
            throw new InvalidOperationException($"Participant {id} already has a frame for tick {TickCount + 1}.");
        }

        return participant;
    }

    private void ResolvePendingFramesOfMembersAndDistrusted(IPendingFrameDecoder? pending, long tick)
    {
        foreach (MixParticipant participant in CollectionsMarshal.AsSpan(_endpoints))
        {
            if (participant.FramePending && !participant.InSpeakerSet && participant.LevelsDistrustedUntilTick > tick)
            {
                DecodePending(participant, pending);
            }
        }

        ResolvePendingFramesOf(_speakers.Members, pending, tick);
    }

    private void ResolvePendingFramesOf(ReadOnlySpan<MixParticipant> participants, IPendingFrameDecoder? pending, long tick)
    {
        foreach (MixParticipant participant in participants)
        {
            if (participant.FramePending)
            {
                double decoded = DecodePending(participant, pending);
                if (participant.LevelsDistrustedUntilTick > tick)
                {
                    continue; // already ignored: judged by the decoded frame alone
                }

                if (participant.ClaimedLevel >= _silenceLevel && decoded * _lieRatio < participant.ClaimedLevel)
                {
                    // Claimed loud, decoded (nearly) silent. Judge it by what it sent, and count the strike.
                    participant.SpeechLevel = Math.Min(participant.SpeechLevel, decoded);
                    if (++participant.LevelStrikes >= _options.LevelLieStrikes)
                    {
                        Distrust(participant, pending, tick);
                    }
                }
                else
                {
                    participant.LevelStrikes = 0;
                }
            }
        }
    }

    /// <summary>Decodes a few quiet-claiming participants outside the set (round robin) to catch one hiding its voice.</summary>
    private void AuditClaimedLevels(IPendingFrameDecoder? pending, long tick)
    {
        int audits = _options.LevelAuditsPerTick;
        int count = _endpoints.Count;
        for (int scanned = 0; audits > 0 && scanned < count; scanned++)
        {
            _auditCursor = (_auditCursor + 1) % count;
            MixParticipant participant = _endpoints[_auditCursor];
            if (!participant.FramePending || participant.InSpeakerSet || participant.ClaimedLevel >= _silenceLevel)
            {
                continue;
            }

            audits--;
            double claimed = participant.ClaimedLevel;
            double decoded = DecodePending(participant, pending);
            // Not mixed this tick (it was not chosen); next tick it competes with its real level.
            participant.HasFrame = false;
            if (decoded >= _silenceLevel && decoded > claimed * _lieRatio)
            {
                Distrust(participant, pending, tick);
            }
        }
    }

    /// <returns>The decoded frame's level (0 when it decoded to nothing).</returns>
    private double DecodePending(MixParticipant participant, IPendingFrameDecoder? pending)
    {
        participant.FramePending = false;
        PendingDecodes++;
        if (pending is null || !pending.DecodePendingFrame(participant.Id, participant.DecodedFrame))
        {
            participant.HasFrame = false;
            participant.FrameLevel = 0;
            return 0;
        }

        participant.FrameLevel = MixKernels.SumOfSquares(participant.DecodedFrame) / (participant.DecodedFrame.Length * FullScaleSquare);
        return participant.FrameLevel;
    }

    private void Distrust(MixParticipant participant, IPendingFrameDecoder? pending, long tick)
    {
        participant.LevelStrikes = 0;
        participant.LevelsDistrustedUntilTick = tick + _options.LevelDistrustTicks;
        LevelsDistrusted++;
        pending?.OnLevelsDistrusted(participant.Id, participant.LevelsDistrustedUntilTick);
    }

    /// <summary>32768²: the mean square of a full-scale square wave, the 0 dBFS reference of levels.</summary>
    private const double FullScaleSquare = 32768.0 * 32768.0;
}
