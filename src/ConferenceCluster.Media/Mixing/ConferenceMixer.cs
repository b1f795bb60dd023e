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
/// <item>Pick the speaker set: the N loudest voices, with hysteresis (<see cref="SpeakerSelector"/>).</item>
/// <item>Sum the set's decoded frames into the int32 mix bus (<see cref="MixKernels.Accumulate"/>), then saturate once
/// into the full-mix PCM (<see cref="MixKernels.SaturateToInt16"/>).</item>
/// <item>Each speaker-set member gets its own mix-minus, bus − own frame saturated to int16
/// (<see cref="MixKernels.SubtractAndSaturate"/>), encoded by its own encoder.</item>
/// <item>Everyone else hears the same full mix: for each codec group (<see cref="EncoderProfile"/>) with at least one
/// such listener, the full mix is encoded <b>once</b> and that one <see cref="MixOutput"/> is handed to all of them
/// (Asterisk ConfBridge's shared translator). Encodes per tick = speakers + codec groups, not participants.</item>
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

    /// <summary>int32 sum of the speaker set's frames: exact, saturated only on the way out.</summary>
    private readonly int[] _mixBus;

    /// <summary>The saturated full mix, shared by every codec group's output.</summary>
    private readonly short[] _fullMixPcm;

    /// <summary>Participants in join order (the tie-break order of speaker selection).</summary>
    private readonly List<MixParticipant> _participants = [];
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
        _fullMixPcm = new short[_options.FrameSamples];
        _speakerSetIds = new MixerParticipantId[_options.MaxMixedSpeakers];
    }

    public ConferenceMixerOptions Options => _options;

    public int ParticipantCount => _participants.Count;

    /// <summary>Ticks mixed so far.</summary>
    public long TickCount { get; private set; }

    /// <summary>Distinct codec settings among the participants (the number of shared full-mix encoders).</summary>
    public int CodecGroupCount => _codecGroups.Count;

    /// <summary>
    /// Adds a participant that will listen with <paramref name="profile"/> (and may speak). Creates its encoder and
    /// buffers now, and its codec group's encoder if it is the first with that profile.
    /// </summary>
    /// <exception cref="ArgumentException">The id is already in this mixer, or the profile is <c>default</c>.</exception>
    public void AddParticipant(MixerParticipantId id, EncoderProfile profile)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_participantsById.ContainsKey(id))
        {
            throw new ArgumentException($"Participant {id} is already in this mixer.", nameof(id));
        }

        if (!Enum.IsDefined(profile.Codec))
        {
            throw new ArgumentException("The encoder profile names no codec; build it with EncoderProfile.ForOpus, Pcmu or Pcma.", nameof(profile));
        }

        bool newGroup = !_codecGroupsByProfile.TryGetValue(profile, out CodecGroup? group);
        if (group is null)
        {
            group = new CodecGroup(profile, _options.EncoderFactory(profile), _fullMixPcm);
        }

        MixParticipant participant;
        try
        {
            participant = new MixParticipant(id, group, _options.EncoderFactory(profile), _options.FrameSamples);
        }
        catch
        {
            if (newGroup)
            {
                group.Dispose();
            }

            throw;
        }

        if (newGroup)
        {
            _codecGroups.Add(group);
            _codecGroupsByProfile.Add(profile, group);
        }

        group.MemberCount++;
        _participants.Add(participant);
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
        participant.Dispose();

        CodecGroup group = participant.Group;
        if (--group.MemberCount == 0)
        {
            _codecGroups.Remove(group);
            _codecGroupsByProfile.Remove(group.Profile);
            group.Dispose();
        }

        return true;
    }

    public bool Contains(MixerParticipantId id) => _participantsById.ContainsKey(id);

    /// <summary>Whether the participant is in the speaker set chosen on the last tick.</summary>
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
        participant.FrameLevel = MixKernels.SumOfSquares(decodedFrame) / (decodedFrame.Length * FullScaleSquare);
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
        _speakers.Select(_participants);
        ReadOnlySpan<MixParticipant> speakerSet = _speakers.Members;

        Span<int> mixBus = _mixBus;
        mixBus.Clear();
        int mixedVoices = 0;
        foreach (MixParticipant speaker in speakerSet)
        {
            if (speaker.HasFrame)
            {
                MixKernels.Accumulate(mixBus, speaker.DecodedFrame);
                mixedVoices++;
            }
        }

        MixKernels.SaturateToInt16(mixBus, _fullMixPcm);

        int encodeCount = 0;
        for (int i = 0; i < speakerSet.Length; i++)
        {
            MixParticipant speaker = speakerSet[i];
            _speakerSetIds[i] = speaker.Id;
            if (speaker.HasFrame)
            {
                MixKernels.SubtractAndSaturate(mixBus, speaker.DecodedFrame, speaker.MixMinusPcm);
                speaker.MixMinusOutput.Encode(speaker.OwnEncoder, speaker.MixMinusPcm, tick, mixedVoices - 1);
            }
            else
            {
                _fullMixPcm.CopyTo(speaker.MixMinusPcm);
                speaker.MixMinusOutput.Encode(speaker.OwnEncoder, speaker.MixMinusPcm, tick, mixedVoices);
            }

            encodeCount++;
        }

        foreach (CodecGroup group in _codecGroups)
        {
            group.SharedListenersThisTick = 0;
        }

        Span<ListenerOutput> listenerOutputs = _listenerOutputs.AsSpan(0, _participants.Count);
        for (int i = 0; i < _participants.Count; i++)
        {
            MixParticipant participant = _participants[i];
            if (participant.InSpeakerSet)
            {
                listenerOutputs[i] = new ListenerOutput(participant.Id, participant.MixMinusOutput);
            }
            else
            {
                participant.Group.SharedListenersThisTick++;
                listenerOutputs[i] = new ListenerOutput(participant.Id, participant.Group.FullMixOutput);
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
        _participantsById.Clear();
        _codecGroups.Clear();
        _codecGroupsByProfile.Clear();
    }

    /// <summary>32768²: the mean square of a full-scale square wave, the 0 dBFS reference of levels.</summary>
    private const double FullScaleSquare = 32768.0 * 32768.0;
}
