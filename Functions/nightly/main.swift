import FunctionCore
import GitfolioFunctions
import GitfolioHTTP

// Scheduled, never served over HTTP: one-shot only; exits 1 when anything failed (see NightlyFunction).
await FunctionRunner.runScheduled("nightly", handler: Functions.nightly(transport: { URLSessionTransport(timeout: 30) }))
