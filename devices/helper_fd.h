/*
 * helper_fd: the fd checks every device helper (hyve-blk, hyve-net,
 * hyve-rng) makes on what it inherited, before it trusts any of it.
 *
 * Runs before the helper's seccomp policy is installed; it must never open
 * anything.
 */
#ifndef HYVE_HELPER_FD_H
#define HYVE_HELPER_FD_H

/* 0 if fd is a connected AF_UNIX stream socket (the vhost-user channel
 * hyve or hyve-jail promised), else -errno (-ENOTSOCK, -EPROTOTYPE...). */
int helper_check_sock(int fd);

/* Close every fd above stderr except keep_a and keep_b (equal when the
 * helper keeps only one): nothing inherited by mistake stays open. */
void helper_close_others(int keep_a, int keep_b);

#endif
