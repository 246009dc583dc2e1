/*
 * policy_text: the policy files, embedded at build time.
 *
 * policyc checks every policy file (policy/NAME.policy) and writes them into a generated
 * C file (build/gen/policy/policy_text.c) as strings, so a jailed process
 * reads its policy from its own binary and never opens a file.  Data only.
 */
#ifndef HYVE_POLICY_TEXT_H
#define HYVE_POLICY_TEXT_H

#include <stddef.h>

struct policy_text {
	const char *file;	/* "hyve-blk.policy" */
	const char *text;
};

extern const struct policy_text policy_texts[];
extern const size_t policy_ntexts;

#endif
