
use builtin;
use str;

set edit:completion:arg-completer[ipfixkit] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ipfixkit'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ipfixkit'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand cat 'Prints the records of IPFIX files'
            cand convert 'Converts between IPFIX, JSON lines and CSV'
            cand filter 'Keeps the records for which an expression holds'
            cand merge 'Merges files from many exporters into one valid, time-ordered IPFIX file'
            cand gen 'Writes synthetic, realistic flow records: the same bytes for the same arguments'
            cand docs 'Writes the man pages and shell completions (for packagers and the repository)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ipfixkit;cat'= {
            cand --ie-spec 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated'
            cand --max-resync 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it'
            cand -j 'Worker threads for several files (0 = all cores). Output order never depends on it'
            cand --threads 'Worker threads for several files (0 = all cores). Output order never depends on it'
            cand -f 'Output format'
            cand --format 'Output format'
            cand -F 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names'
            cand --fields 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names'
            cand --time 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type''s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch'
            cand --schema 'Which fields records have: `raw`, the record''s own IEs; `flow`, the fixed fields of the common flow schema (goflow2''s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields'
            cand --rename 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)'
            cand --map 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)'
            cand --render 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)'
            cand -n 'Stop after N records (across all files, in input order)'
            cand --count 'Stop after N records (across all files, in input order)'
            cand -o 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written'
            cand --output 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written'
            cand --strict 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays'
            cand -q 'Do not print warnings (errors are still printed)'
            cand --quiet 'Do not print warnings (errors are still printed)'
            cand --allow-unknown-fields 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name'
            cand --no-header 'Leave out the CSV header row'
            cand --no-split-biflow 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)'
            cand --templates 'List the templates instead of records: text (RFC 7013 §10 form), -f json (one object per definition) or -f csv (one row per template field)'
            cand --stats 'Print a summary per file instead of records: text, -f json (one object per file) or -f csv (one row per file)'
            cand --no-options 'Leave out options records (exporter statistics, sampling, type information); templates are still shown where the format shows them'
            cand --options-only 'Print only the options records'
            cand --progress 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too'
            cand --no-progress 'Never draw a progress bar'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ipfixkit;convert'= {
            cand --ie-spec 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated'
            cand --max-resync 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it'
            cand -j 'Worker threads for several files (0 = all cores). Output order never depends on it'
            cand --threads 'Worker threads for several files (0 = all cores). Output order never depends on it'
            cand --to 'Output format'
            cand --from 'Input format (default: recognised from content)'
            cand --export-time 'From JSON/CSV: export time (RFC 3339 or Unix seconds) for records before the first one with @export_time (default 0); later records without one keep the previous record''s'
            cand -o 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written'
            cand --output 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written'
            cand -d 'Write one output per input into DIR (`name.json`, `name.csv`, `name.ipfix`), converting inputs in parallel'
            cand --dir 'Write one output per input into DIR (`name.json`, `name.csv`, `name.ipfix`), converting inputs in parallel'
            cand -F 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names'
            cand --fields 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names'
            cand --time 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type''s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch'
            cand --schema 'Which fields records have: `raw`, the record''s own IEs; `flow`, the fixed fields of the common flow schema (goflow2''s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields'
            cand --rename 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)'
            cand --map 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)'
            cand --render 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)'
            cand --message-size 'IPFIX output: largest message in octets'
            cand --strict 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays'
            cand -q 'Do not print warnings (errors are still printed)'
            cand --quiet 'Do not print warnings (errors are still printed)'
            cand --allow-unknown-fields 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name'
            cand --no-header 'Leave out the CSV header row'
            cand --no-split-biflow 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)'
            cand --no-options 'Leave out options records (exporter statistics, sampling, type information); templates are still shown where the format shows them'
            cand --options-only 'Print only the options records'
            cand --force 'Write binary IPFIX even when stdout is a terminal'
            cand --metadata 'IPFIX output: end the file with RFC 5655 §8 metadata (file time window, export session details)'
            cand --progress 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too'
            cand --no-progress 'Never draw a progress bar'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ipfixkit;filter'= {
            cand --ie-spec 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated'
            cand --max-resync 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it'
            cand -j 'Worker threads for several files (0 = all cores). Output order never depends on it'
            cand --threads 'Worker threads for several files (0 = all cores). Output order never depends on it'
            cand -f 'Output format'
            cand --format 'Output format'
            cand -F 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names'
            cand --fields 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names'
            cand --time 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type''s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch'
            cand --schema 'Which fields records have: `raw`, the record''s own IEs; `flow`, the fixed fields of the common flow schema (goflow2''s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields'
            cand --rename 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)'
            cand --map 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)'
            cand --render 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)'
            cand --message-size 'IPFIX output: largest message in octets'
            cand -o 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written'
            cand --output 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written'
            cand --strict 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays'
            cand -q 'Do not print warnings (errors are still printed)'
            cand --quiet 'Do not print warnings (errors are still printed)'
            cand -c 'Print only the number of matching records'
            cand --count 'Print only the number of matching records'
            cand -v 'Keep the records for which the expression does not hold'
            cand --invert 'Keep the records for which the expression does not hold'
            cand --allow-unknown-fields 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name'
            cand --no-header 'Leave out the CSV header row'
            cand --no-split-biflow 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)'
            cand --force 'Write binary IPFIX even when stdout is a terminal'
            cand --progress 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too'
            cand --no-progress 'Never draw a progress bar'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ipfixkit;merge'= {
            cand --ie-spec 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated'
            cand --max-resync 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it'
            cand -j 'Worker threads for several files (0 = all cores). Output order never depends on it'
            cand --threads 'Worker threads for several files (0 = all cores). Output order never depends on it'
            cand -o 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written'
            cand --output 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written'
            cand --by 'Record order: flow start time (else export time), export time, or argument order'
            cand --memory 'Memory for sorting unordered inputs (K, M, G suffixes); past it, sorted runs are spilled to temporary files'
            cand --temp-dir 'Where sorted runs are spilled (default: the system''s temporary directory)'
            cand --domain 'Observation domains: each input''s own (`keep`), or a new one per input and domain'
            cand --message-size 'IPFIX output: largest message in octets'
            cand --strict 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays'
            cand -q 'Do not print warnings (errors are still printed)'
            cand --quiet 'Do not print warnings (errors are still printed)'
            cand --presorted 'The inputs are each in order already: a record that goes back is an error'
            cand --metadata 'End the output with RFC 5655 §8 metadata computed for it (file time window, export session details); the inputs'' own metadata records are always dropped'
            cand -v 'Say on stderr which domains and templates got new IDs'
            cand --verbose 'Say on stderr which domains and templates got new IDs'
            cand --force 'Write binary IPFIX even when stdout is a terminal'
            cand --progress 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too'
            cand --no-progress 'Never draw a progress bar'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ipfixkit;gen'= {
            cand -n 'Data records to write'
            cand --records 'Data records to write'
            cand --seed 'Seed of the pseudo-random numbers: the same seed and flags give the same bytes'
            cand --format 'Output format'
            cand --template 'The records'' fields, a template per flag: IE names with an optional `[length]` (`[v]`: variable length), e.g. `sourceIPv4Address,octetDeltaCount[4],wlanSSID`. Records are spread over the templates. Overrides --profile'
            cand --profile 'The built-in template when no --template is given'
            cand --domains 'Observation domains (1..=N); records go round them in chunks of 4096'
            cand --start 'The first flow''s start: RFC 3339 (`2024-01-01T00:00:00Z`) or seconds since 1970'
            cand --rate 'Flows started per second of simulated time'
            cand --duration 'Simulated time the flow starts span (`90s`, `15m`, `2h`, `1d`): sets the rate to records / duration'
            cand --sampling 'Write a PSAMP sampling options record per domain: 1 packet in N selected'
            cand --corrupt 'Write a deliberately damaged file: one place (chosen by the seed) damaged the KIND way, said on stderr. `--corrupt list` names and explains the kinds'
            cand -j 'Threads making records (0 = all cores). The output never depends on it'
            cand --threads 'Threads making records (0 = all cores). The output never depends on it'
            cand --flows-out 'With --packets: write the flows a meter must make of the packets (each direction, idle timeout 15 s) to FILE as IPFIX, the ground truth'
            cand -o 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written'
            cand --output 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written'
            cand --message-size 'IPFIX output: largest message in octets'
            cand -F 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names'
            cand --fields 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names'
            cand --time 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type''s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch'
            cand --schema 'Which fields records have: `raw`, the record''s own IEs; `flow`, the fixed fields of the common flow schema (goflow2''s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields'
            cand --rename 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)'
            cand --map 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)'
            cand --render 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)'
            cand --no-metadata 'Leave out the RFC 5655 §8 file time window and export session details at the end'
            cand --packets 'Write the packets of the flows instead of records: a pcap (Ethernet, some VLAN and QinQ, IPv4 with --profile flow4 or IPv6 with flow6, some fragments; TCP with its handshake and FIN or RST, UDP, ICMP). -n counts connections'
            cand --force 'Write binary IPFIX even when stdout is a terminal'
            cand --allow-unknown-fields 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name'
            cand --no-header 'Leave out the CSV header row'
            cand --no-split-biflow 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ipfixkit;docs'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ipfixkit;help'= {
            cand cat 'Prints the records of IPFIX files'
            cand convert 'Converts between IPFIX, JSON lines and CSV'
            cand filter 'Keeps the records for which an expression holds'
            cand merge 'Merges files from many exporters into one valid, time-ordered IPFIX file'
            cand gen 'Writes synthetic, realistic flow records: the same bytes for the same arguments'
            cand docs 'Writes the man pages and shell completions (for packagers and the repository)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ipfixkit;help;cat'= {
        }
        &'ipfixkit;help;convert'= {
        }
        &'ipfixkit;help;filter'= {
        }
        &'ipfixkit;help;merge'= {
        }
        &'ipfixkit;help;gen'= {
        }
        &'ipfixkit;help;docs'= {
        }
        &'ipfixkit;help;help'= {
        }
    ]
    $completions[$command]
}
