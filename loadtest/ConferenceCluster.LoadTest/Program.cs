using ConferenceCluster.LoadTest.Cli;

return await LoadTestCommandLine.InvokeAsync(args);
