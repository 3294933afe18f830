# bash completion for postaci-cli(1). Plain bash: works with or without bash-completion loaded.

_postaci_cli()
{
    local cur prev word
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    # --option=value: bash splits at "=" (COMP_WORDBREAKS), so the option is two words back.
    if [[ $cur == "=" ]]; then
        prev=${COMP_WORDS[COMP_CWORD-1]}
        cur=
    elif [[ $prev == "=" && $COMP_CWORD -ge 2 ]]; then
        prev=${COMP_WORDS[COMP_CWORD-2]}
    fi

    local values=
    case $prev in
        --security) values="auto none starttls tls" ;;
        --auth) values="auto plain login cram-md5 digest-md5 scram-sha-1 scram-sha-256 ntlm xoauth2" ;;
        --stop-after) values="connect greeting ehlo tls auth mail rcpt data" ;;
        --format) values="text jsonl markdown html nagios" ;;
        --lang) values="tr en" ;;
        --color) values="auto always never" ;;
        --fail) values="greeting=421 greeting=554 greeting=silent ehlo=550 tls=454 auth=535 mail=550 rcpt=550 data=552" ;;
        --profile|--delete-profile)
            local IFS=$'\n'
            mapfile -t COMPREPLY < <(compgen -W "$(postaci-cli --list-profiles 2>/dev/null |
                cut -f1)" -- "$cur")
            return 0 ;;
        --save-profile)
            return 0 ;;
        --password-file|--html-file|--attach|--ca-file|--pin-certificate|--cert-out|--export-profiles|--import-profiles)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            return 0 ;;
        --save)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            return 0 ;;
        --server|--discover)
            mapfile -t COMPREPLY < <(compgen -A hostname -- "$cur")
            return 0 ;;
        --port|--tls-port|--timeout|--user|--from|--to|--subject|--html|--text|--ehlo|--size|--max-size|--warning|--critical|--cert-warning|--cert-critical)
            return 0 ;;
    esac
    if [[ -n $values ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
        return 0
    fi

    if [[ $cur == -* || -z $cur ]]; then
        local options="--server --port --security --user --password-file --auth --allow-plain-auth
            --from --to --subject --html --html-file --text --attach --size --ehlo --stop-after
            --no-pipelining
            --timeout --ca-file --insecure --pin-certificate --lang --color --format --warning --critical --cert-warning --cert-critical --serve
            --tls-port --save --fail --cert-out --quota --max-size --discover --profile --save-profile
            --remember-password --list-profiles --delete-profile --export-profiles
            --import-profiles --help --version"
        mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
    fi
    return 0
}

complete -F _postaci_cli postaci-cli
