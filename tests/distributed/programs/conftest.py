# These are programs run under mpiexec by the tests one folder up, not test modules:
# importing one (as --doctest-modules would) starts its MPI job in the pytest process.
collect_ignore_glob = ["*.py"]
