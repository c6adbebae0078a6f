#!/bin/sh
# Attack: plant code a human runs later: a hook in .git/hooks, core.hooksPath and core.fsmonitor in
# .git/config; then remove or rename the read-only carve-outs to write new ones in their place.
# The runner checks the host's .git afterwards.
cd /workspace || { echo "BROKEN no /workspace"; exit 0; }
[ -d .git/hooks ] && [ -f .git/config ] || { echo "BROKEN the project has no .git/hooks or .git/config"; exit 0; }
why() {
        case $1 in
        *"Read-only file system"*) echo EROFS ;; *"busy"*) echo EBUSY ;; *"Permission denied"*) echo EACCES ;;
        *"not permitted"*) echo EPERM ;; *) echo "error($1)" ;;
        esac
}
res="" bad=""
try() { # LABEL CMD...: record the outcome; success is a breach
        label=$1
        shift
        if err=$("$@" 2>&1); then bad="$bad $label"; res="$res $label=WORKED"; else res="$res $label=$(why "$err")"; fi
}
try hook sh -c 'printf "#!/bin/sh\necho planted\n" >.git/hooks/pre-commit'
try hooks-chmod chmod 0777 .git/hooks
try config-append sh -c 'printf "[core]\n\thooksPath = /workspace/evil\n\tfsmonitor = /workspace/evil/fsm\n" >>.git/config'
try config-truncate sh -c ': >.git/config'
try config-rm rm -f .git/config
try config-mv mv .git/config .git/config.rcc-escape
try hooks-rm rm -rf .git/hooks
try hooks-mv mv .git/hooks .git/hooks.rcc-escape
[ -z "$bad" ] || { echo "ESCAPED$res"; exit 0; }
echo "CONTAINED$res"
