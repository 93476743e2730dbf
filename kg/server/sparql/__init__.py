"""The SPARQL 1.1 Protocol endpoint: the route (endpoint), the request (protocol), the
check before a query runs (querycheck), the worker processes that run it within the
time limit (executor, worker), the result writers with their caps (results), the result
cache (cache) and the service description (description).

Keep this file empty of imports: a query worker imports ``kg.server.sparql.worker``
and should start in milliseconds."""
