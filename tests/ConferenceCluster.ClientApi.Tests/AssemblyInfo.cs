// The tests share a loaded 2-core machine with real silos, Chromium and baresip: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
