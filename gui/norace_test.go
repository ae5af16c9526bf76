//go:build !race

package gui

// raceSlowdown is 1 without the race detector: limits hold as stated.
const raceSlowdown = 1
