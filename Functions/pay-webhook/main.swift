import FunctionCore
import GitfolioFunctions
import GitfolioHTTP

await FunctionRunner.run("pay-webhook", handler: Functions.payWebhook(transport: { URLSessionTransport() }))
