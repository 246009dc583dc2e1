/*
 * jail_res: step 4 of hyve-jail, open every resource the VM may use.
 *
 * Must never: open anything the profile does not name, or leave a tap it
 * created behind on the error path.
 */
#ifndef HYVE_JAIL_RES_H
#define HYVE_JAIL_RES_H

struct jail;

int jail_res_open(struct jail *j);
void jail_res_undo(struct jail *j);
void jail_res_plan(struct jail *j);

#endif
