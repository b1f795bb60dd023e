// Tests set process environment variables (to prove Cluster__Id style keys bind) and start silos that share
// in-memory cluster stores; running them one at a time keeps them from seeing each other's variables.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
