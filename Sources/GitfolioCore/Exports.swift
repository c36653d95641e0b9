// GitfolioCore builds on the Foundation-free base: the function protocol, configuration and errors
// (FunctionCore) and the domain values (GitfolioDomain). Importing GitfolioCore brings both.
@_exported import FunctionCore
@_exported import GitfolioDomain
