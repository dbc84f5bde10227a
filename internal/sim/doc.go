// Package sim holds what pmsync's tests and its demo run against instead
// of the outside world: a simulated clock here, and in its subpackages
// a GitHub (ghsim) and a Jira (jirasim) server that speak the vendors'
// APIs, and a strict in-memory tracker (memory). None of it is used by a
// real sync.
package sim
