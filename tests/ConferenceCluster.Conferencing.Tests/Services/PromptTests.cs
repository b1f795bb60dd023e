using ConferenceCluster.Conferencing.Services.Prompts;

namespace ConferenceCluster.Conferencing.Tests.Services;

/// <summary>The Base theme prompts (L8409–8443) and their generated audio (scripts/make-prompts.sh).</summary>
public class PromptTests
{
    [Fact]
    public void Every_catalogue_prompt_has_embedded_audio_that_loads_as_non_empty_mono_pcm()
    {
        Assert.Equal(PromptCatalogue.All.Select(p => p.Id).Order(StringComparer.Ordinal), PromptLibrary.AvailableIds);
        foreach (var prompt in PromptCatalogue.All)
        {
            var audio = PromptLibrary.Load(prompt.Id);
            Assert.Equal(8000, audio.SampleRate);
            Assert.True(audio.Duration > TimeSpan.FromSeconds(0.5), $"{prompt.Id} is {audio.Duration}");
            Assert.Contains(audio.Samples, s => Math.Abs((int)s) > 1000); // not silence
        }
    }

    [Fact]
    public void Prompt_texts_are_the_seeds_L8418_L8422_L8440_to_L8442()
    {
        Assert.Equal("Please enter the conference PIN number.", PromptCatalogue.Get("conf-getpin").Text);
        Assert.Equal("Please enter the conference PIN number, followed by the pound key.", PromptCatalogue.Get("conf-getpin_pound-key").Text);
        Assert.Equal("The PIN is invalid for this conference.", PromptCatalogue.Get("conf-invalidpin").Text);
        Assert.Equal("Waiting for the conference Host to join.", PromptCatalogue.Get("conf-waitforleader").Text);
        Assert.StartsWith("Waiting for the conference Host to join. If you are the conference Host", PromptCatalogue.Get("conf-waithostpin").Text);
        Assert.Equal("The Host has left the conference. The conference is about to end.", PromptCatalogue.Get("conf-leaderhasleft").Text);
        Assert.Throws<KeyNotFoundException>(() => PromptCatalogue.Get("conf-nonesuch"));
        Assert.Throws<KeyNotFoundException>(() => PromptLibrary.Load("conf-nonesuch"));
    }

    [Fact]
    public void Prompt_assets_stay_small()
    {
        var total = PromptLibrary.AvailableIds.Sum(id => PromptLibrary.Load(id).Samples.Length * 2L);
        Assert.True(total < 1_000_000, $"{total} bytes of prompt audio");
    }

    [Fact]
    public void A_wav_that_is_not_mono_16_bit_is_refused()
    {
        // RIFF header, fmt chunk for stereo 16-bit 8 kHz, empty data chunk.
        byte[] stereo =
        [
            .. "RIFF"u8, 36, 0, 0, 0, .. "WAVE"u8,
            .. "fmt "u8, 16, 0, 0, 0, 1, 0, 2, 0, 0x40, 0x1F, 0, 0, 0, 0x7D, 0, 0, 4, 0, 16, 0,
            .. "data"u8, 0, 0, 0, 0,
        ];
        Assert.Throws<InvalidDataException>(() => PromptLibrary.ParseWav("stereo", stereo));
        Assert.Throws<InvalidDataException>(() => PromptLibrary.ParseWav("junk", "not a wav file"u8));
    }
}
