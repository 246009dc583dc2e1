#!/bin/bash
# check-docs.sh: fail when the code and the man pages drift apart.
#
# Reads what the programs accept straight from their sources and checks that
# the right man page documents each item:
#   common/cfg.c          every configuration key (keydefs, pcidefs, single
#                         keydefs such as vcpu.N.cpuset), every PCI emulation
#                         and every per-device option        -> hyve.conf.5
#                         (jail.* keys also -> hyve-jail.8; emulations and
#                         their options also -> hyve.8)
#   vmm/cmdline.c         every flag hyve accepts or refuses  -> hyve.8
#   launcher/main.c       hyve-jail's short and long options  -> hyve-jail.8
#   launcher/hyvectl_args.c  hyvectl's commands and options   -> hyvectl.8
#   devices/hyve_*_main.c each helper's long options          -> hyve-*.8
#
# "Documented" means the name appears after an mdoc macro that marks a name
# (Va, Cm, Fl, Ic), after '\-' and 'Ns' joins are undone; keys, flags and
# commands must have a list entry of their own (".It Va key ...") except
# where noted.  Every missing item is printed; the exit status is 1 if any is
# missing, 2 if a source could not be parsed (an extraction that finds
# nothing is a broken check, never a pass).
#
# Usage: scripts/check-docs.sh [ROOT]      (default: the repository root)
set -uo pipefail

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2
missing=0
broken=0

say_missing() {		# page what source
	echo "check-docs: $1: $2 is not documented (from $3)"
	missing=$((missing + 1))
}

parse_fail() {		# source what
	echo "check-docs: $1: could not extract $2: fix scripts/check-docs.sh" >&2
	broken=1
}

# A man page as one line per source line, with the mdoc joins undone:
# '\-' -> '-', '\&' dropped, "x Ns Ar y" -> "xy", so that
# ".It Va vcpu. Ns Ar N Ns Va .cpuset" reads ".It Va vcpu.N.cpuset".
norm() {
	sed -e 's/\\-/-/g' -e 's/\\&//g' \
	    -e 's/ Ns \([A-Z][a-z] \)\{0,1\}//g' "$1"
}

# has PAGE MODE MACROS WORD: is WORD named after one of MACROS (a '|' list)?
# MODE "entry": it must be the first name of an ".It" line (a list entry of
# its own); MODE "any": anywhere.  The name is compared up to a '=' and
# without trailing punctuation, so "Cm sectorsize=logical" names sectorsize.
has() {
	local page=$1 mode=$2 macros=$3 word=$4
	[ -r "$page" ] || return 1
	# "Fl -json" renders as --json: Fl adds the first dash
	[ "$macros" = Fl ] && word=${word#-}
	norm "$page" | awk -v mode="$mode" -v macros="$macros" -v w="$word" '
		BEGIN { n = split(macros, m, "|"); for (i = 1; i <= n; i++) ism[m[i]] = 1 }
		function clean(t) {
			sub(/=.*/, "", t)
			sub(/[,;:)(]+$/, "", t)
			if (t !~ /^-+$/) sub(/\.+$/, "", t)
			return t
		}
		/^\.It / && mode == "entry" {
			if (ism[$2] && clean($3) == w) { found = 1; next }
			next
		}
		# a macro takes every word up to the next macro:
		# ".Cm a , b" names a and b
		mode == "any" && /^\./ {
			cur = ""
			for (i = 1; i <= NF; i++) {
				t = $i
				if (i == 1) sub(/^\./, "", t)
				if (t ~ /^[A-Z][a-z]$/) { cur = t; continue }
				if (ism[cur] && clean(t) == w) { found = 1; next }
			}
		}
		END { exit found ? 0 : 1 }'
}

need() {		# page mode macros word source
	has "$1" "$2" "$3" "$4" || say_missing "$1" "$4" "$5"
}

# Lines of a C block: from the line matching START up to the next "};".
cblock() {		# file start-regex
	awk -v s="$2" '$0 ~ s { on = 1 } on { print } on && /};/ { exit }' "$1"
}

# ------------------------------------------------------------ common/cfg.c
cfg=common/cfg.c
conf=docs/hyve.conf.5
jailpage=docs/hyve-jail.8
hyvepage=docs/hyve.8

# "key TYPE" per keydef entry: { "memory.size", V_MEMSIZE, ...
keydefs=$(cblock "$cfg" '^static const struct keydef keydefs\[\] = \{' |
	sed -n 's/^[[:space:]]*{ *"\([^"]*\)", *\(V_[A-Z_]*\).*/\1 \2/p')
pcidefs=$(cblock "$cfg" '^static const struct keydef pcidefs\[\] = \{' |
	sed -n 's/^[[:space:]]*{ *"\([^"]*\)", *\(V_[A-Z_]*\).*/\1 \2/p')
# keys defined one by one: static const struct keydef vcpu_cpuset = { "vcpu.N.cpuset", ...
singles=$(sed -n 's/^static const struct keydef [a-z_]* = { *"\([^"]*\)", *\(V_[A-Z_]*\).*/\1 \2/p' "$cfg")
[ -n "$keydefs" ] || parse_fail "$cfg" "the keydefs table"
[ -n "$pcidefs" ] || parse_fail "$cfg" "the pcidefs table"

while read -r key type; do
	[ -n "$key" ] || continue
	if [ "$type" = V_REFUSED ]; then
		# refused keys are named in the text, not given an entry
		need "$conf" any 'Va|Cm' "$key" "$cfg keydefs (refused)"
		continue
	fi
	need "$conf" entry 'Va|Cm' "$key" "$cfg keydefs"
	case $key in
	jail.*) need "$jailpage" entry 'Va|Cm' "$key" "$cfg keydefs" ;;
	esac
done <<EOF
$keydefs
$singles
EOF

while read -r key type; do
	[ -n "$key" ] || continue
	need "$conf" entry 'Va|Cm' "$key" "$cfg pcidefs"
done <<EOF
$pcidefs
EOF

# The emulations: { "virtio-blk", "description", keys_blk, "path" },
emuls=$(cblock "$cfg" '^static const struct cfg_pci_emul pci_emuls\[\] = \{' |
	tr '\n' ' ' | grep -oE '\{ *"[^"]+", *"[^}]*keys_[a-z0-9_]+, *("[^"]*"|NULL) *\}' |
	sed -E 's/^\{ *"([^"]+)".*(keys_[a-z0-9_]+), *"?([^" ]*)"? *\}$/\1 \2 \3/')
[ -n "$emuls" ] || parse_fail "$cfg" "the pci_emuls table"
pcikeys=$(echo "$pcidefs" | awk '{ print $1 }')

while read -r emul list positional; do
	[ -n "$emul" ] || continue
	need "$conf" any 'Cm' "$emul" "$cfg pci_emuls"
	need "$hyvepage" entry 'Cm' "$emul" "$cfg pci_emuls (-s)"
	if ! grep -q "^static const char \*const $list\[\] = {" "$cfg"; then
		parse_fail "$cfg" "the key list $list of $emul"
		continue
	fi
	for k in $(cblock "$cfg" "^static const char \\*const $list\\[\\] = \\{" |
	    grep -oE '"[^"]+"' | tr -d '"'); do
		if ! echo "$pcikeys" | grep -qxF "$k"; then
			echo "check-docs: $cfg: $emul option $k is not in pcidefs"
			missing=$((missing + 1))
			continue
		fi
		# -s slot,emul,positional,opt=...: every option but the
		# positional one is written "opt" or "opt=" in hyve(8)
		[ "$k" = "$positional" ] ||
			need "$hyvepage" any 'Cm' "$k" "$cfg $list ($emul)"
	done
done <<EOF
$emuls
EOF

# ------------------------------------------------------------ vmm/cmdline.c
cl=vmm/cmdline.c
bools=$(cblock "$cl" '^static const struct flag_bool flag_bools\[\] = \{' |
	sed -n "s/^[[:space:]]*{ *'\\(.\\)',.*/\\1/p")
refused=$(awk '/flag_refused\[\] = \{/ { on = 1 } on { print } on && /^};/ { exit }' "$cl" |
	sed -n "s/^[[:space:]]*{ *'\\(.\\)',.*/\\1/p")
argflags=$(sed -n 's/^static const char ARG_FLAGS\[\] = "\([^"]*\)";.*/\1/p' "$cl" | fold -w1)
# flags handled one by one in the parser: if (*f == 'h')
single=$(grep -oE "\\*f == '.'" "$cl" | sed -E "s/.*'(.)'/\\1/")
[ -n "$bools" ] || parse_fail "$cl" "flag_bools"
[ -n "$refused" ] || parse_fail "$cl" "flag_refused"
[ -n "$argflags" ] || parse_fail "$cl" "ARG_FLAGS"
for f in $(printf '%s\n' $bools $argflags $single | sort -u); do
	need "$hyvepage" entry 'Fl' "$f" "$cl (hyve -$f)"
done
for f in $refused; do
	need "$hyvepage" any 'Fl' "$f" "$cl flag_refused (hyve -$f)"
done

# ------------------------------------------------------------ launcher/main.c
lm=launcher/main.c
jlong=$(cblock "$lm" 'static const struct option lopts\[\] = \{' |
	sed -n 's/^[[:space:]]*{ *"\([^"]*\)",.*/\1/p')
jshort=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' "$lm" | tr -d ':' | fold -w1)
[ -n "$jlong" ] || parse_fail "$lm" "the long options"
[ -n "$jshort" ] || parse_fail "$lm" "the getopt string"
for o in $jlong; do
	need "$jailpage" any 'Fl' "--$o" "$lm (hyve-jail --$o)"
done
# a short option is documented by itself or by its long form
for o in $jshort; do
	has "$jailpage" any 'Fl' "$o" && continue
	l=$(cblock "$lm" 'static const struct option lopts\[\] = \{' |
		sed -n "s/^[[:space:]]*{ *\"\\([^\"]*\\)\",.*'$o' }.*/\\1/p")
	[ -n "$l" ] && has "$jailpage" any 'Fl' "--$l" && continue
	say_missing "$jailpage" "-$o" "$lm (hyve-jail -$o)"
done

# ------------------------------------------------------ launcher/hyvectl_args.c
ha=launcher/hyvectl_args.c
ctlpage=docs/hyvectl.8
cmds=$(awk '/^} commands\[\] = \{/ { on = 1 } on { print } on && /^};/ { exit }' "$ha" |
	sed -n 's/^[[:space:]]*{ *"\([^"]*\)",.*/\1/p')
[ -n "$cmds" ] || parse_fail "$ha" "the commands table"
for c in $cmds; do
	need "$ctlpage" any 'Cm|Ic' "$c" "$ha commands"
done
# every option string the parser compares against: "--json", "-q", ...
opts=$(grep -oE '"--?[a-z][a-z-]*"' "$ha" | tr -d '"' | sort -u)
[ -n "$opts" ] || parse_fail "$ha" "the options"
for o in $opts; do
	need "$ctlpage" any 'Fl' "$o" "$ha (hyvectl $o)"
done

# ------------------------------------------------------ devices/hyve_*_main.c
nhelp=0
for src in devices/hyve_*_main.c; do
	[ -e "$src" ] || continue
	nhelp=$((nhelp + 1))
	prog=$(basename "$src" _main.c | tr _ -)
	page=docs/$prog.8
	# struct option tables, and options compared by hand: "--fd"
	o=$( (awk '/static const struct option [a-z_]*\[\] = \{/ { on = 1 } on { print } on && /^[[:space:]]*};/ { on = 0 }' "$src" |
		sed -n 's/^[[:space:]]*{ *"\([^"]*\)",.*/--\1/p'
	      grep -oE '"--[a-z][a-z-]*"' "$src" | tr -d '"') | sort -u)
	if [ -z "$o" ]; then
		parse_fail "$src" "the options of $prog"
		continue
	fi
	if [ ! -r "$page" ]; then
		echo "check-docs: $page: missing (the man page of $prog)"
		missing=$((missing + 1))
		continue
	fi
	for x in $o; do
		need "$page" any 'Fl' "$x" "$src ($prog $x)"
	done
done
[ "$nhelp" -gt 0 ] || parse_fail devices "any hyve_*_main.c"

if [ "$broken" -ne 0 ]; then
	exit 2
fi
if [ "$missing" -ne 0 ]; then
	echo "check-docs: $missing item(s) missing from the man pages"
	exit 1
fi
echo "check-docs: every key, flag, command and helper option is documented"
