/*
 * net_mac.h - MAC addresses of virtio-net devices (see net_mac.c).
 */
#ifndef HYVE_NET_MAC_H
#define HYVE_NET_MAC_H

#include <stdint.h>

/*
 * The default MAC of a device, as bhyve derives one: bhyve's OUI 58:9c:fc
 * followed by three bytes of a hash of "SLOT-FUNC-VMNAME". bhyve uses MD5;
 * hyve uses 64-bit FNV-1a (no crypto library needed, and it only has to
 * spread names, not resist anyone): h = FNV-1a-64(string), folded as
 * f = h ^ (h >> 32), and the last three bytes are f, f >> 8, f >> 16.
 */
void net_default_mac(int slot, int func, const char *vmname, uint8_t out[6]);

/*
 * Parse "xx:xx:xx:xx:xx:xx" (hex, case-insensitive). Multicast and
 * all-zero addresses are refused as bhyve refuses them. 0 or -EINVAL.
 */
int net_parse_mac(const char *s, uint8_t out[6]);

#endif
