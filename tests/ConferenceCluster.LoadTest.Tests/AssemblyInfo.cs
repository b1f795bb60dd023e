// Every test here starts real silos with fixed media port ranges and hundreds of RTP streams: run them one at a
// time, so they neither share ports nor starve each other of the machine's two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
