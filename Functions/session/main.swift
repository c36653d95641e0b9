import FunctionCore
import SessionFunction

// Built without Foundation: see `SessionLookup`.
let environment = processEnvironment()
let lookup = SessionLookup(environment: environment)
BareFunction.run(environment: environment, handler: lookup.respond)
