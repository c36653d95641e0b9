// A second reference for `gitfolio bench`: a minimal executable that, like any Swift function,
// decodes the JSON event with Foundation and writes a JSON response, but touches no database.
import Foundation

struct Event: Decodable {
    struct Context: Decodable { struct HTTP: Decodable { var method: String }; var http: HTTP }
    var requestContext: Context
}
let input = FileHandle.standardInput.readDataToEndOfFile()
let method = (try? JSONDecoder().decode(Event.self, from: input))?.requestContext.http.method ?? "?"
let body = try JSONEncoder().encode(["method": method])
print(#"{"statusCode":200,"body":"# + String(decoding: try JSONEncoder().encode(String(decoding: body, as: UTF8.self)), as: UTF8.self) + "}")
