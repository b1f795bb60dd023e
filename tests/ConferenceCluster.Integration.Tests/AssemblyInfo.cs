// Every test here starts silo processes (three at a time, each a few hundred MB and a busy startup): run them one at a
// time, so they do not starve each other of the machine's two cores, and media port ranges never overlap.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
