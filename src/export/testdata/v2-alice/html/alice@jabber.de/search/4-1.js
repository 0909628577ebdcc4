ferrySearch.receive(4,1,[
[1,"9b936b3d-8e57-4c22-93a8-575a7ff2e7d7","2020-01-01 02:30","Alice","He said \"hi\" and then \"bye\""],
[1,"b5de6198-1ad5-442f-829f-d921739d3f47","2020-01-01 04:10","Jürgen1974","'"],
[1,"f4e56d1d-b8f3-4016-bdeb-20388e91c67b","2020-01-01 06:44","Alice","שלום עולם — mixed עברית and English ‏(RLM)‎(LRM)"],
[1,"299ee03d-b5c8-4843-bf84-073271e82dbb","2020-01-01 08:58","Alice","0"],
[1,"9ec5199c-8341-41c3-830d-fb38729b4c22","2020-01-01 11:48","Alice","-42"],
[1,"3f3c2743-7a5e-4582-b566-73c9456f510a","2020-01-01 12:47","Alice","'); DROP TABLE messages; --"],
[1,"08369e58-82af-4222-b8ff-a26b2865aa60","2020-01-01 15:42","مريم1993 🍕","é (combining) vs é, zero​width, ZWJ ‍, BOM ﻿ inside"],
[1,"4e742276-31b4-4ec2-bcb8-5753b2adaec3","2020-01-01 19:31","Alice","Bob's \"report\" (final).pdf"],
[1,"c568a0c3-dde8-4a62-af49-72f2e338504b","2020-01-02 01:44","Jürgen1974","psst, private 🤫"]]);
