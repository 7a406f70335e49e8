module github.com/zebgp/ze/test/bench

go 1.26

replace github.com/zebgp/ze => ../..

require (
	github.com/osrg/gobgp/v3 v3.37.0
	github.com/zebgp/ze v0.0.0-00010101000000-000000000000
)
