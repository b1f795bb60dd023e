// Each test starts a whole local cluster (PostgreSQL, Kamailio, silo processes) on fixed ports of 127.0.0.1:
// one at a time, on a shared 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
