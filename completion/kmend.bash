# bash completion for kmend(8); installed as
# /usr/share/bash-completion/completions/kmend.

# The ids of the loaded updates (the engine's directories are world-readable).
_kmend_loaded_ids()
{
	local d
	for d in /sys/kernel/kmend/*/stage; do
		[ -e "$d" ] || continue
		d=${d%/stage}
		printf '%s\n' "${d##*/}"
	done
}

# The ids of the updates installed for the running release.
_kmend_installed_ids()
{
	local f
	for f in /var/lib/kmend/updates/"$(uname -r)"/[0-9][0-9][0-9][0-9]-*.ko; do
		[ -e "$f" ] || continue
		f=${f##*/}
		f=${f#[0-9][0-9][0-9][0-9]-}
		printf '%s\n' "${f%.ko}"
	done
}

_kmend_files()	# _kmend_files GLOB...: files matching one, and folders
{
	local IFS=$'\n' glob
	for glob in "$@"; do
		COMPREPLY+=($(compgen -f -X "!$glob" -- "$cur"))
	done
	COMPREPLY+=($(compgen -d -- "$cur"))
	compopt -o filenames 2>/dev/null
}

_kmend()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local commands="create apply undo list show explain install uninstall package repo help"
	local IFS=$' \t\n'
	COMPREPLY=()

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi
	case ${COMP_WORDS[1]} in
	create)
		case $prev in
		--source) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
		-o|--output) _kmend_files '*.ko'; return ;;
		--check-kallsyms|--check-image|--sign-key|--sign-cert) _kmend_files '*'; return ;;
		--kernel) COMPREPLY=($(compgen -W "running $(ls "${KMEND_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kmend}" 2>/dev/null | grep '^[0-9]')" -- "$cur")); return ;;
		--model) COMPREPLY=($(compgen -W "leave=patched-set,switch=kernel leave=function,switch=function leave=kernel,switch=kernel leave=patched-set,switch=thread leave=kernel,switch=thread" -- "$cur")); return ;;
		--format) COMPREPLY=($(compgen -W "kmend klp" -- "$cur")); return ;;
		--id|--description|-j|--jobs|--max-units) return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--source --kernel --output --id --description --model --require-targets --format --sign-key --sign-cert --dry-run --check-kallsyms --check-image --jobs --max-units --verbose --help" -- "$cur"))
		else
			_kmend_files '*.patch' '*.diff'
		fi ;;
	apply)
		[ "$prev" = --engine ] && { _kmend_files '*.ko'; return; }
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--engine --installed --quiet --help" -- "$cur"))
		else
			_kmend_files '*.ko'
		fi ;;
	undo)
		COMPREPLY=($(compgen -W "--all --quiet --help $(_kmend_loaded_ids)" -- "$cur")) ;;
	list)
		[ "$prev" = --release ] && { COMPREPLY=($(compgen -W "$(ls /var/lib/kmend/updates 2>/dev/null)" -- "$cur")); return; }
		COMPREPLY=($(compgen -W "--json --installed --release --help" -- "$cur")) ;;
	show)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_kmend_loaded_ids)" -- "$cur"))
			_kmend_files '*.ko'
		fi ;;
	explain)
		[ "$COMP_CWORD" -eq 2 ] || return
		COMPREPLY=($(compgen -W "--help $(kmend explain 2>/dev/null | sed -n 's/^\([a-z_]*\) (\(exit status\|kmend create refuses\).*/\1/p') $(_kmend_loaded_ids)" -- "$cur")) ;;
	install)
		[ "$COMP_CWORD" -eq 2 ] && _kmend_files '*.ko' ;;
	uninstall)
		[ "$prev" = --release ] && { COMPREPLY=($(compgen -W "$(ls /var/lib/kmend/updates 2>/dev/null)" -- "$cur")); return; }
		COMPREPLY=($(compgen -W "--release --help $(_kmend_installed_ids)" -- "$cur")) ;;
	package)
		case $prev in
		-o) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
		--version|--maintainer|--kernel-version) return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-o --version --maintainer --kernel-version --help" -- "$cur"))
		else
			_kmend_files '*.ko'
		fi ;;
	repo)
		case $prev in
		--gnupg-home) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
		--sign-key|--origin) return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--sign-key --gnupg-home --origin --help" -- "$cur"))
		elif [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null
		else
			_kmend_files '*.deb'
		fi ;;
	help)
		COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
	esac
}
complete -F _kmend kmend
