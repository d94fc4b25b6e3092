# Reference solution (evalkit QA convention): runs as the agent; the last stdout line is the submission.
set -e
cat > /home/agent/sort_numbers.ks <<'KS'
i=K 0=I
IKl[ iIt I1+=I IKl ]          # read k values into memory cells 0..k-1
1=I
IKl[                          # insertion sort
  Ig=V I=J
  0Jl VJ1-gl *[ J1-g Jt J1-=J 0Jl VJ1-gl * ]
  VJt I1+=I IKl
]
0=I IKl[ Igp 91+e I1+=I IKl ]  # print
KS
echo "4 3 -1 3 0" | python3 /home/agent/kestrel/kestrel.py /home/agent/sort_numbers.ks >&2
echo /home/agent/sort_numbers.ks
