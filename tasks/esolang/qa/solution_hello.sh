# Reference solution (evalkit QA convention): runs as the agent; the last stdout line is the submission.
set -e
cat > /home/agent/hello.ks <<'KS'
# push a 0 sentinel, a newline and the greeting reversed, then print until the sentinel
0 91+ "!lertseK ,olleH" d[ed]
KS
python3 /home/agent/kestrel/kestrel.py /home/agent/hello.ks </dev/null >&2
echo /home/agent/hello.ks
