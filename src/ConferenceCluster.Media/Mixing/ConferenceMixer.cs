using System.Runtime.InteropServices;
using ConferenceCluster.Media.Codecs;

namespace ConferenceCluster.Media.Mixing;

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
    }

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
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_participantsById.TryGetValue(id, out MixParticipant? participant))
        {
            throw new ArgumentException($"Participant {id} is not in this mixer.", nameof(id));
        }

        if (decodedFrame.Length != _options.FrameSamples)
        {
            throw new ArgumentException($"A decoded frame has {_options.FrameSamples} samples at 48 kHz, not {decodedFrame.Length}.", nameof(decodedFrame));
        }

        if (participant.HasFrame)
        {
            throw new InvalidOperationException($"Participant {id} already has a frame for tick {TickCount + 1}.");
        }

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
    public MixTickResult Mix()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long tick = ++TickCount;
        _speakers.Select(_endpoints);
        ReadOnlySpan<MixParticipant> speakerSet = _speakers.Members;

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

                backplane.MixMinusOutput.Encode(backplane.OwnEncoder, backplane.MixMinusPcm, tick, splitHorizonVoices);
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
            participant.MixMinusOutput.Encode(participant.OwnEncoder, participant.MixMinusPcm, tick, mixedVoices - 1);
        }
        else
        {
            _fullMixPcm.CopyTo(participant.MixMinusPcm);
            participant.MixMinusOutput.Encode(participant.OwnEncoder, participant.MixMinusPcm, tick, mixedVoices);
        }
    }

    /// <summary>32768²: the mean square of a full-scale square wave, the 0 dBFS reference of levels.</summary>
    private const double FullScaleSquare = 32768.0 * 32768.0;
}
