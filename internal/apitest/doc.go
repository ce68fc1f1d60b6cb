// Package apitest holds what the tests of the module's HTTP APIs share:
// the example items API's tests (examples/items, internal/hostile, the
// client's) and httpadapter's. It is imported only by tests; no library
// package imports it (the module's TestDependencyBoundaries says so), so
// kin-openapi, which it uses to check OpenAPI documents, stays a test
// dependency.
//
// # Reading answers
//
// [Response] is one answer read whole: its status, headers and body, and
// the [Envelope] of a page or the problem of an error, decoded. [Decode]
// reads one (for goroutines, which must not stop the test), [Read] reads
// one or fails the test, and a [Client] sends a GET with its query on the
// wire exactly as written and reads the answer. [ParseLinks] reads a Link
// header.
//
// # The items API's answers
//
// [Item], [Items], [Sorted], [Compare], [Seller] and [Reviews] compute
// what internal/itemsapi serves from internal/dataset's pure row
// functions, without reading a database: the reference a test compares
// pages against.
//
// # OpenAPI
//
// [LoadOpenAPI] checks a document with kin-openapi as OpenAPI 3.1, and
// [OpenAPI.Exchange] validates one request and its response against it.
//
// # Load
//
// [RunClients] runs concurrent clients, each a fixed number of requests
// from its own seeded random source.
package apitest
