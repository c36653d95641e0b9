// GitfolioCore builds on the Foundation-free base: the function protocol, configuration and errors
// (FunctionCore), Codable over it (FunctionCodable) and the domain values (GitfolioDomain).
// Importing GitfolioCore brings all three.
@_exported import FunctionCodable
@_exported import FunctionCore
@_exported import GitfolioDomain
