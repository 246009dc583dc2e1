# tests/bench/jail.mk: jail-time, the timing wrapper of
# tests/bench/scenarios/50-jail.sh (what hyve-jail costs).  A tool: built
# for the lab, never installed.  Static so the lab needs no libraries for it.
TOOLS += jail-time
jail-time_SRCS := tests/bench/jail_time.c
jail-time_LDFLAGS := -static-pie
