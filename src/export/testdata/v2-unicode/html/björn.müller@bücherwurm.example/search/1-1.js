ferrySearch.receive(1,1,[
[1,"ab86dca1-94d3-401a-add8-7a100a9d7a48","2020-01-01 02:46","Björn.müller","He said \"hi\" and then \"bye\""],
[1,"39032fed-f5a8-409b-a537-d438b3d71da3","2020-01-01 04:58","Zoe_miller","old mac line\rsecond old mac line"],
[1,"4ab675fd-e23f-448d-8b30-90f64d1cb56d","2020-01-01 06:53","Андрей","\n'\n"],
[1,"93fa80a3-af98-4e3a-b9ef-0c53065bc3f2","2020-01-01 08:50","Björn.müller","שלום עולם — mixed עברית and English ‏(RLM)‎(LRM)"],
[1,"dc0c30e4-9e8f-436d-bfc0-7214c52189b0","2020-01-01 11:57","Hannah1963",""],
[1,"01efa274-9d23-460c-8b81-1514d482a9fa","2020-01-01 14:24","Björn.müller","00000"],
[1,"cdbe3a3c-f3f2-4d9b-98ed-b2088ed2b88b","2020-01-01 16:05","Oscar.weber","-42"],
[1,"8852e94b-ca14-456a-b054-33697fb93029","2020-01-01 19:06","Björn.müller","\t"]]);
