// The tests drive real SIPp and baresip processes against in-process silos on a shared 2-core machine: one at a
// time keeps the media timing honest and the load bounded.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
