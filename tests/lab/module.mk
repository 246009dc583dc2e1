# The lab's own KVM probe: the first scenario runs it on the lab's /dev/kvm.
TOOLS += kvmprobe
kvmprobe_SRCS := tests/lab/kvmprobe.c
