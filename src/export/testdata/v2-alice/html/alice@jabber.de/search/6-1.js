ferrySearch.receive(6,1,[
[1,"d98eae1f-c8d8-4645-9476-3567cc1a6ee0","2020-01-01 02:38","zoe2002@404.city","C:\\Users\\bob\\Documents\\new folder\\file.txt, a literal \\n, \\' and \\\\"],
[1,"fd2ab5d5-6556-4a12-8daf-4716c464b225","2020-01-01 04:12","zoe2002@404.city","''"],
[1,"efb98118-c293-40b2-aeb2-5cd79e5eb09a","2020-01-01 06:52","alice@jabber.de","‮right-to-left override‬ back to normal"],
[1,"a7536bf7-c896-49f2-a232-532ecee1dce9","2020-01-01 09:00","alice@jabber.de","007"],
[1,"03a7d9fc-d8af-4a55-9263-08be92f203a6","2020-01-01 11:49","alice@jabber.de","3.14"],
[1,"65956a13-0101-4946-a1ee-f3e9741fd857","2020-01-01 13:25","zoe2002@404.city","end of statement;\nINSERT INTO accounts(uuid) VALUES('x');"],
[1,"9cfad4eb-206d-4771-ba8a-687c07305dfd","2020-01-01 15:58","alice@jabber.de","﻿starts with a BOM"],
[1,"d87a2000-efa5-4436-a12e-27b2ed2bdc92","2020-01-01 20:30","alice@jabber.de","Grüße aus München 😀.png"],
[1,"0564009d-4e6b-4650-b735-6cb12519cbf3","2020-01-01 23:52","alice@jabber.de","hey lol nice sure plans wait"]]);
