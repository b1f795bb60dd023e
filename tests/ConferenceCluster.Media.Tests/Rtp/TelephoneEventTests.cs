using ConferenceCluster.Media.Rtp;

namespace ConferenceCluster.Media.Tests.Rtp;

/// <summary>RFC 4733 telephone events: the payload format (§2.3) and one key press per event despite the three end packets (§2.5.1.4).</summary>
public class TelephoneEventTests
{
    [Fact]
    public void Payload_round_trips()
    {
        var payload = new byte[4];
        new TelephoneEvent(11, End: true, Volume: 10, Duration: 1600).Write(payload);
        Assert.Equal(new byte[] { 11, 0x8A, 0x06, 0x40 }, payload);
        Assert.True(TelephoneEvent.TryParse(payload, out TelephoneEvent e));
        Assert.Equal('#', e.Digit);
        Assert.True(e.End);
        Assert.Equal(10, e.Volume);
        Assert.Equal(1600, e.Duration);
    }

    [Theory]
    [InlineData(0, '0')]
    [InlineData(9, '9')]
    [InlineData(10, '*')]
    [InlineData(12, 'A')]
    [InlineData(15, 'D')]
    public void Event_codes_map_to_digits(byte code, char digit) => Assert.Equal(digit, new TelephoneEvent(code, false, 0, 0).Digit);

    [Fact]
    public void Short_payload_is_rejected() => Assert.False(TelephoneEvent.TryParse([1, 2, 3], out _));

    [Fact]
    public void Three_end_packets_make_one_digit_and_a_new_press_of_the_same_key_counts_again()
    {
        var detector = new TelephoneEventDetector(8000);
        var digits = new List<DtmfDigit>();
        Press(detector, digits, timestamp: 1000, code: 5);
        Press(detector, digits, timestamp: 3000, code: 5);
        Press(detector, digits, timestamp: 5000, code: 10);

        Assert.Equal([new DtmfDigit('5', 100), new DtmfDigit('5', 100), new DtmfDigit('*', 100)], digits);
    }

    [Fact]
    public void A_replayed_press_with_the_same_timestamp_counts_again_but_its_end_copies_do_not()
    {
        // SIPp's play_pcap_audio replays a capture as it is: pressing '9' twice sends the same timestamp twice.
        var detector = new TelephoneEventDetector(8000);
        var digits = new List<DtmfDigit>();
        Press(detector, digits, timestamp: 7000, code: 9);
        Press(detector, digits, timestamp: 7000, code: 9);

        Assert.Equal([new DtmfDigit('9', 100), new DtmfDigit('9', 100)], digits);
    }

    private static void Press(TelephoneEventDetector detector, List<DtmfDigit> digits, uint timestamp, byte code)
    {
        var payload = new byte[4];
        for (ushort duration = 160; duration <= 800; duration += 160)
        {
            bool end = duration == 800;
            new TelephoneEvent(code, end, 10, duration).Write(payload);
            int copies = end ? 3 : 1;
            for (int i = 0; i < copies; i++)
            {
                if (detector.TryDetect(timestamp, payload, out DtmfDigit digit))
                {
                    digits.Add(digit);
                }
            }
        }
    }
}
