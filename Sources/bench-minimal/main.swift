// The reference for `gitfolio bench`: the least a Swift function executable can do — read the
// event from stdin and write a JSON response — with no Foundation and no database.
while readLine(strippingNewline: false) != nil {}
print(#"{"statusCode":200,"headers":{},"cookies":[],"body":"{}","isBase64Encoded":false}"#)
