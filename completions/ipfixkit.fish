# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ipfixkit_global_optspecs
    string join \n h/help V/version
end

function __fish_ipfixkit_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ipfixkit_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ipfixkit_using_subcommand
    set -l cmd (__fish_ipfixkit_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ipfixkit -n "__fish_ipfixkit_needs_command" -s h -l help -d 'Print help'
complete -c ipfixkit -n "__fish_ipfixkit_needs_command" -s V -l version -d 'Print version'
complete -c ipfixkit -n "__fish_ipfixkit_needs_command" -f -a "cat" -d 'Prints the records of IPFIX files'
complete -c ipfixkit -n "__fish_ipfixkit_needs_command" -f -a "convert" -d 'Converts between IPFIX, JSON lines and CSV, and to Parquet'
complete -c ipfixkit -n "__fish_ipfixkit_needs_command" -f -a "filter" -d 'Keeps the records for which an expression holds'
complete -c ipfixkit -n "__fish_ipfixkit_needs_command" -f -a "merge" -d 'Merges files from many exporters into one valid, time-ordered IPFIX file'
complete -c ipfixkit -n "__fish_ipfixkit_needs_command" -f -a "gen" -d 'Writes synthetic, realistic flow records: the same bytes for the same arguments'
complete -c ipfixkit -n "__fish_ipfixkit_needs_command" -f -a "pcap2ipfix" -d 'Meters packet captures (pcap, pcapng) into IPFIX flow records, by packet time'
complete -c ipfixkit -n "__fish_ipfixkit_needs_command" -f -a "docs" -d 'Writes the man pages and shell completions (for packagers and the repository)'
complete -c ipfixkit -n "__fish_ipfixkit_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l ie-spec -d 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated' -r -F
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l max-resync -d 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -s j -l threads -d 'Worker threads for several files (0 = all cores). Output order never depends on it' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -s f -l format -d 'Output format' -r -f -a "text\t'One line per record: `DOMAIN/TEMPLATE name=value ...`'
detail\t'Messages, sets, templates and records, one field per line'
json\t'One JSON object per record and line'
csv\t'RFC 4180 CSV with a header row'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -s F -l fields -d 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema\'s names (`src_addr`, `bytes`...) and nfdump\'s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema\'s fields and --map names' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l time -d 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type\'s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch' -r -f -a "iso\t'RFC 3339 UTC at the type\'s precision: `2023-11-14T22:13:20.170Z`'
epoch\t'Integer since 1970 in the type\'s unit (s, ms, µs or ns): `1700000000170`'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l schema -d 'Which fields records have: `raw`, the record\'s own IEs; `flow`, the fixed fields of the common flow schema (goflow2\'s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields' -r -f -a "raw\t'The IEs each record has (the default)'
flow\t'The fixed fields of the flow schema'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l rename -d 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l map -d 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l render -d 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -s n -l count -d 'Stop after N records (across all files, in input order)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -s o -l output -d 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink\'s target is written' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l strict -d 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -s q -l quiet -d 'Do not print warnings (errors are still printed)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l allow-unknown-fields -d 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l no-header -d 'Leave out the CSV header row'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l no-split-biflow -d 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l templates -d 'List the templates instead of records: text (RFC 7013 §10 form), -f json (one object per definition) or -f csv (one row per template field)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l stats -d 'Print a summary per file instead of records: text, -f json (one object per file) or -f csv (one row per file)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l no-options -d 'Leave out options records (exporter statistics, sampling, type information); templates are still shown where the format shows them'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l options-only -d 'Print only the options records'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l progress -d 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -l no-progress -d 'Never draw a progress bar'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand cat" -s V -l version -d 'Print version'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l ie-spec -d 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated' -r -F
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l max-resync -d 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -s j -l threads -d 'Worker threads for several files (0 = all cores). Output order never depends on it' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l to -d 'Output format' -r -f -a "json\t'JSON lines: template lines (`@fields`) and record lines'
csv\t'CSV with a header row'
ipfix\t'IPFIX file (RFC 5655)'
parquet\t'Typed Parquet (zstd, column statistics); see the README for the types'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l from -d 'Input format (default: recognised from content)' -r -f -a "auto\t''
ipfix\t''
json\t''
csv\t''"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l export-time -d 'From JSON/CSV: export time (RFC 3339 or Unix seconds) for records before the first one with @export_time (default 0); later records without one keep the previous record\'s' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -s o -l output -d 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink\'s target is written' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -s d -l dir -d 'Write one output per input into DIR (`name.json`, `name.csv`, `name.ipfix`, `name.parquet`), converting inputs in parallel' -r -F
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -s F -l fields -d 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema\'s names (`src_addr`, `bytes`...) and nfdump\'s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema\'s fields and --map names' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l time -d 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type\'s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch' -r -f -a "iso\t'RFC 3339 UTC at the type\'s precision: `2023-11-14T22:13:20.170Z`'
epoch\t'Integer since 1970 in the type\'s unit (s, ms, µs or ns): `1700000000170`'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l schema -d 'Which fields records have: `raw`, the record\'s own IEs; `flow`, the fixed fields of the common flow schema (goflow2\'s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields' -r -f -a "raw\t'The IEs each record has (the default)'
flow\t'The fixed fields of the flow schema'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l rename -d 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l map -d 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l render -d 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l message-size -d 'IPFIX output: largest message in octets' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l compression -d 'Parquet: column chunk compression' -r -f -a "zstd\t''
snappy\t''
none\t''"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l timestamp-unit -d 'Parquet: unit of TIMESTAMP columns (dateTime* IEs and @export_time, UTC). A finer time than the unit is truncated (dateTimeNanoseconds needs ns to be kept whole)' -r -f -a "ms\t''
us\t''
ns\t''"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l row-group-size -d 'Parquet: rows per row group; a row group also ends at about 128 MiB of buffered data. Memory is about one row group per output written at once' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l signed -d 'Parquet: write unsigned columns as signed ones, for engines without unsigned types (Hive, older Spark; Spark 3.2+ reads UINT_64 as DECIMAL(20,0)): unsigned8/16/32 as INT16/32/64, unsigned64 as INT64 (`int64`, the default: a value above 2^63-1 fails the input) or DECIMAL(20,0) (`decimal`: lossless)' -r -f -a "int64\t''
decimal\t''"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l partition -d 'Parquet with -d DIR: Hive-style partition directories by flow start (UTC), `DIR/date=2024-05-01/hour=13/part-00000.parquet` (`day`: `DIR/date=2024-05-01/...`), file `part-N` from input N, every file of the same columns. Spark, Trino and DuckDB (`hive_partitioning`) read `date` and `hour` as columns and skip the others' -r -f -a "hour\t'`date=YYYY-MM-DD/hour=HH`'
day\t'`date=YYYY-MM-DD`'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l strict -d 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -s q -l quiet -d 'Do not print warnings (errors are still printed)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l allow-unknown-fields -d 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l no-header -d 'Leave out the CSV header row'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l no-split-biflow -d 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l no-options -d 'Leave out options records (exporter statistics, sampling, type information); templates are still shown where the format shows them'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l options-only -d 'Print only the options records'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l force -d 'Write binary IPFIX even when stdout is a terminal'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l metadata -d 'IPFIX output: end the file with RFC 5655 §8 metadata (file time window, export session details)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l progress -d 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -l no-progress -d 'Never draw a progress bar'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand convert" -s V -l version -d 'Print version'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l ie-spec -d 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated' -r -F
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l max-resync -d 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -s j -l threads -d 'Worker threads for several files (0 = all cores). Output order never depends on it' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -s f -l format -d 'Output format' -r -f -a "ipfix\t'IPFIX file with the kept records, their templates and all options records'
text\t'One line per record (as `cat`)'
json\t'One JSON object per record'
csv\t'CSV with a header row; without -F its columns come from a first pass over the input (stdin and pipes are spooled to a temporary file for it)'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -s F -l fields -d 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema\'s names (`src_addr`, `bytes`...) and nfdump\'s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema\'s fields and --map names' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l time -d 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type\'s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch' -r -f -a "iso\t'RFC 3339 UTC at the type\'s precision: `2023-11-14T22:13:20.170Z`'
epoch\t'Integer since 1970 in the type\'s unit (s, ms, µs or ns): `1700000000170`'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l schema -d 'Which fields records have: `raw`, the record\'s own IEs; `flow`, the fixed fields of the common flow schema (goflow2\'s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields' -r -f -a "raw\t'The IEs each record has (the default)'
flow\t'The fixed fields of the flow schema'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l rename -d 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l map -d 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l render -d 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l message-size -d 'IPFIX output: largest message in octets' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -s o -l output -d 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink\'s target is written' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l strict -d 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -s q -l quiet -d 'Do not print warnings (errors are still printed)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -s c -l count -d 'Print only the number of matching records'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -s v -l invert -d 'Keep the records for which the expression does not hold'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l allow-unknown-fields -d 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l no-header -d 'Leave out the CSV header row'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l no-split-biflow -d 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l force -d 'Write binary IPFIX even when stdout is a terminal'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l progress -d 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -l no-progress -d 'Never draw a progress bar'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand filter" -s V -l version -d 'Print version'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l ie-spec -d 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated' -r -F
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l max-resync -d 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -s j -l threads -d 'Worker threads for several files (0 = all cores). Output order never depends on it' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -s o -l output -d 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink\'s target is written' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l by -d 'Record order: flow start time (else export time), export time, or argument order' -r -f -a "time\t'Flow start time; records without one by their message\'s export time'
export\t'The message export time only'
none\t'None: inputs appended in argument order'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l memory -d 'Memory for sorting unordered inputs (K, M, G suffixes); past it, sorted runs are spilled to temporary files' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l temp-dir -d 'Where sorted runs are spilled (default: the system\'s temporary directory)' -r -F
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l domain -d 'Observation domains: each input\'s own (`keep`), or a new one per input and domain' -r -f -a "keep\t''
per-input\t''"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l message-size -d 'IPFIX output: largest message in octets' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l strict -d 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -s q -l quiet -d 'Do not print warnings (errors are still printed)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l presorted -d 'The inputs are each in order already: a record that goes back is an error'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l metadata -d 'End the output with RFC 5655 §8 metadata computed for it (file time window, export session details); the inputs\' own metadata records are always dropped'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -s v -l verbose -d 'Say on stderr which domains and templates got new IDs'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l force -d 'Write binary IPFIX even when stdout is a terminal'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l progress -d 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -l no-progress -d 'Never draw a progress bar'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand merge" -s V -l version -d 'Print version'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -s n -l records -d 'Data records to write' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l seed -d 'Seed of the pseudo-random numbers: the same seed and flags give the same bytes' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l format -d 'Output format' -r -f -a "ipfix\t'IPFIX file (RFC 5655)'
json\t'JSON lines, as `convert --to json` prints the IPFIX'
csv\t'CSV with a header row, as `convert --to csv` prints it'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l template -d 'The records\' fields, a template per flag: IE names with an optional `[length]` (`[v]`: variable length), e.g. `sourceIPv4Address,octetDeltaCount[4],wlanSSID`. Records are spread over the templates. Overrides --profile' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l profile -d 'The built-in template when no --template is given [default: flow4; netflow5 with --netflow 5]' -r -f -a "flow4\t'IPv4 5-tuple flows with counters, interfaces and millisecond times'
flow6\t'The same for IPv6 (with the flow label)'
biflow\t'IPv4 biflows (RFC 5103): the reverse packets, octets and TCP flags too'
structured\t'IPv4 flows with structured data (RFC 6313): a basicList of egress interfaces, a subTemplateList of HTTP transactions, a subTemplateMultiList of TCP and IP details, each of 0 to a few elements'
all-types\t'One field of every abstract data type (RFC 7011 §6.1, RFC 6313), reduced sizes among them, with edge values: 0, maximum, minimum, NaN and infinities, empty and 255-octet-plus strings in the 3-octet length form. Types no IANA IE has (signed8/16/64, float32) are IEs of the documentation PEN 32473, named by RFC 5610 type records'
netflow5\t'NetFlow v5\'s record, as the NetFlow translator reads it: uptimes and millisecond times, next hop, AS numbers (RFC 5398\'s documentation ASNs), prefix lengths and the sampling fields. What `--netflow 5` writes'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l domains -d 'Observation domains (1..=N); records go round them in chunks of 4096' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l start -d 'The first flow\'s start: RFC 3339 (`2024-01-01T00:00:00Z`) or seconds since 1970' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l rate -d 'Flows started per second of simulated time' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l duration -d 'Simulated time the flow starts span (`90s`, `15m`, `2h`, `1d`): sets the rate to records / duration' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l sampling -d 'Write a PSAMP sampling options record per domain: 1 packet in N selected' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l corrupt -d 'Write a deliberately damaged file: one place (chosen by the seed) damaged the KIND way, said on stderr. `--corrupt list` names and explains the kinds' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l netflow -d 'Write NetFlow export packets instead of IPFIX messages: 9 (RFC 3954; fixed-length IANA fields only, flowStart/EndMilliseconds as uptimes) or 5 (the netflow5 profile)' -r -f -a "5\t''
9\t''"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l template-refresh -d 'NetFlow v9: send the templates again every N packets of a source' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l exporter -d '--pcap: the exporter\'s address and port' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l collector -d '--pcap: the collector\'s address and port [default: 192.0.2.2:4739 for IPFIX, 192.0.2.2:2055 for NetFlow]' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -s j -l threads -d 'Threads making records (0 = all cores). The output never depends on it' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l flows-out -d 'With --packets: write the flows a meter must make of the packets (each direction, idle timeout 15 s) to FILE as IPFIX, the ground truth' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -s o -l output -d 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink\'s target is written' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l message-size -d 'IPFIX output: largest message in octets' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -s F -l fields -d 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema\'s names (`src_addr`, `bytes`...) and nfdump\'s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema\'s fields and --map names' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l time -d 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type\'s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch' -r -f -a "iso\t'RFC 3339 UTC at the type\'s precision: `2023-11-14T22:13:20.170Z`'
epoch\t'Integer since 1970 in the type\'s unit (s, ms, µs or ns): `1700000000170`'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l schema -d 'Which fields records have: `raw`, the record\'s own IEs; `flow`, the fixed fields of the common flow schema (goflow2\'s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields' -r -f -a "raw\t'The IEs each record has (the default)'
flow\t'The fixed fields of the flow schema'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l rename -d 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l map -d 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l render -d 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l pcap -d 'Write a pcap of the messages (or NetFlow packets) as UDP datagrams from --exporter to --collector, each at its export time'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l no-metadata -d 'Leave out the RFC 5655 §8 file time window and export session details at the end'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l packets -d 'Write the packets of the flows instead of records: a pcap (Ethernet, some VLAN and QinQ, IPv4 with --profile flow4 or IPv6 with flow6, some fragments; TCP with its handshake and FIN or RST, UDP, ICMP). -n counts connections'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l force -d 'Write binary IPFIX even when stdout is a terminal'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l allow-unknown-fields -d 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l no-header -d 'Leave out the CSV header row'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -l no-split-biflow -d 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand gen" -s V -l version -d 'Print version'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l idle-timeout -d 'A flow with no packet for this long ends (idle timeout): seconds, or with s/m/h' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l active-timeout -d 'A flow that has lasted this long ends (active timeout): seconds, or with s/m/h' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l max-flows -d 'Flows kept at most; a new flow beyond them pushes out the least recently seen one (flowEndReason 5)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l time-precision -d 'Time IEs: flowStart/EndMilliseconds, Microseconds or Nanoseconds' -r -f -a "ms\t'flowStart/EndMilliseconds'
us\t'flowStart/EndMicroseconds (NTP format)'
ns\t'flowStart/EndNanoseconds (NTP format)'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l port -d '--extract: only datagrams from or to this UDP port' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -s f -l format -d 'Output format' -r -f -a "ipfix\t'IPFIX file (RFC 5655)'
json\t'JSON lines, as `convert --to json` prints them'
csv\t'CSV with a header row'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -s o -l output -d 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink\'s target is written' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -s d -l dir -d 'One output per capture into DIR (`name.ipfix`, `name.json`, `name.csv`)' -r -F
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -s j -l threads -d 'Captures metered at once (0 = all cores)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l message-size -d 'IPFIX output: largest message in octets' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -s F -l fields -d 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema\'s names (`src_addr`, `bytes`...) and nfdump\'s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema\'s fields and --map names' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l time -d 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type\'s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch' -r -f -a "iso\t'RFC 3339 UTC at the type\'s precision: `2023-11-14T22:13:20.170Z`'
epoch\t'Integer since 1970 in the type\'s unit (s, ms, µs or ns): `1700000000170`'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l schema -d 'Which fields records have: `raw`, the record\'s own IEs; `flow`, the fixed fields of the common flow schema (goflow2\'s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields' -r -f -a "raw\t'The IEs each record has (the default)'
flow\t'The fixed fields of the flow schema'"
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l rename -d 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l map -d 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l render -d 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)' -r
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l biflow -d 'RFC 5103 biflows: the first packet\'s sender is the initiator; the other direction\'s counters under PEN 29305'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l mac -d 'Add sourceMacAddress and destinationMacAddress (the first packet\'s)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l extract -d 'Instead of metering packets: pull the NetFlow v5/v9 and IPFIX export packets out of the captures (UDP, any port) and write their records as one IPFIX file, each exporter and domain a domain of its own (v5/v9 translated)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l stats -d 'Print on stderr: packets read, skipped by why, flows by end reason'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l force -d 'Write binary IPFIX even when stdout is a terminal'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l allow-unknown-fields -d 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l no-header -d 'Leave out the CSV header row'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l no-split-biflow -d 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l progress -d 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -l no-progress -d 'Never draw a progress bar'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand pcap2ipfix" -s V -l version -d 'Print version'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand docs" -s h -l help -d 'Print help'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand docs" -s V -l version -d 'Print version'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand help; and not __fish_seen_subcommand_from cat convert filter merge gen pcap2ipfix docs help" -f -a "cat" -d 'Prints the records of IPFIX files'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand help; and not __fish_seen_subcommand_from cat convert filter merge gen pcap2ipfix docs help" -f -a "convert" -d 'Converts between IPFIX, JSON lines and CSV, and to Parquet'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand help; and not __fish_seen_subcommand_from cat convert filter merge gen pcap2ipfix docs help" -f -a "filter" -d 'Keeps the records for which an expression holds'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand help; and not __fish_seen_subcommand_from cat convert filter merge gen pcap2ipfix docs help" -f -a "merge" -d 'Merges files from many exporters into one valid, time-ordered IPFIX file'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand help; and not __fish_seen_subcommand_from cat convert filter merge gen pcap2ipfix docs help" -f -a "gen" -d 'Writes synthetic, realistic flow records: the same bytes for the same arguments'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand help; and not __fish_seen_subcommand_from cat convert filter merge gen pcap2ipfix docs help" -f -a "pcap2ipfix" -d 'Meters packet captures (pcap, pcapng) into IPFIX flow records, by packet time'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand help; and not __fish_seen_subcommand_from cat convert filter merge gen pcap2ipfix docs help" -f -a "docs" -d 'Writes the man pages and shell completions (for packagers and the repository)'
complete -c ipfixkit -n "__fish_ipfixkit_using_subcommand help; and not __fish_seen_subcommand_from cat convert filter merge gen pcap2ipfix docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
