-- wrk script: plain (non-streaming) POSTs of one small completion, the same request shape tpd bench sends,
-- against a zero-delay twin (STREAM=1: the streaming variant, whole stream read). Usage: wrk -t2 -c64 -d15s -s post.lua http://127.0.0.1:8123/v1/completions
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local stream = os.getenv("STREAM") == "1" and ',"stream":true,"stream_options":{"include_usage":true}' or ''
wrk.body = '{"model":"llama-3.1-8b","prompt":[1001,1002,1003,1004,1005,1006,1007,1008,1009,1010,1011,1012,1013,1014,1015,1016,1017,1018,1019,1020,1021,1022,1023,1024,1025,1026,1027,1028,1029,1030,1031,1032],"max_tokens":16,"ignore_eos":true' .. stream .. '}'
