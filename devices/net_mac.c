/*
 * net_mac.c - MAC addresses of virtio-net devices: bhyve's default
 * derivation and the parser of mac= / --mac. Linked by hyve (which passes
 * the address to hyve-net) and by hyve-net; no guest data ever reaches
 * it, and it must stay free of anything but string handling.
 */
#include "devices/net_mac.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void net_default_mac(int slot, int func, const char *vmname, uint8_t out[6])
{
	char s[320];
	uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a 64 offset basis */
	int len = snprintf(s, sizeof(s), "%d-%d-%s", slot, func,
			   vmname ? vmname : "");

	if (len < 0)
		len = 0;
	if ((size_t)len >= sizeof(s))
		len = (int)sizeof(s) - 1;
	for (int i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ull;        /* FNV 64 prime */
	}
	h ^= h >> 32;
	out[0] = 0x58;
	out[1] = 0x9c;
	out[2] = 0xfc;
	out[3] = (uint8_t)h;
	out[4] = (uint8_t)(h >> 8);
	out[5] = (uint8_t)(h >> 16);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int net_parse_mac(const char *s, uint8_t out[6])
{
	uint8_t m[6];
	bool zero = true;

	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0)
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
		zero = zero && m[i] == 0;
		s += 2;
		if (*s != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		if (i < 5)
			s++;
	}
	if (zero || (m[0] & 1))
		return -EINVAL;
	memcpy(out, m, 6);
	return 0;
}
