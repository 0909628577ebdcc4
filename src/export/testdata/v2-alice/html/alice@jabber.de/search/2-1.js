ferrySearch.receive(2,1,[
[1,"9515007b-b353-4118-9a3a-7b718318c209","2020-01-01 01:08","jonas_rossi@conversations.im","It's Bob's \"quoted\" text with 'single' quotes and ''two'' in a row"],
[1,"4ff2657f-d3b2-49b3-8ba2-f66bdc655509","2020-01-01 03:56","jonas_rossi@conversations.im","it's\nnot 'over'\n'yet'\n'"],
[1,"7bfdf647-2013-4234-bb79-f3858d07fe30","2020-01-01 05:51","jonas_rossi@conversations.im","مرحبا بالعالم! كيف حالك؟ ١٢٣ and 123"],
[1,"4fd233b8-851d-417f-b842-7ea1b4d4bbda","2020-01-01 08:40","alice@jabber.de","12345"],
[1,"6eef732d-92ab-42f4-b2c3-9b669b620587","2020-01-01 11:24","jonas_rossi@conversations.im","9223372036854775808"],
[1,"0bbf19d2-f120-468b-87ed-f12b56ea67d8","2020-01-01 12:47","jonas_rossi@conversations.im","\n"],
[1,"79189e26-95b0-4599-a580-4d3beca6ad09","2020-01-01 15:34","jonas_rossi@conversations.im","\u003cb\u003ebold\u003c/b\u003e \u0026 \u0026amp; \u003cscript\u003ealert('x')\u003c/script\u003e"],
[1,"a5188bee-eeb9-4725-ac1f-9c8d93e7567f","2020-01-01 19:17","jonas_rossi@conversations.im","IMG_20234264_385755.jpg"],
[1,"6ac3aca2-9c20-4aa8-8938-65c7aefe7734","2020-01-01 23:38","alice@jabber.de","id with leading zeros only"],
[1,"ac6c7957-a9e6-46f8-9c5e-5ee32566a01b","2020-01-01 23:41","jonas_rossi@conversations.im","Incoming call. Duration 2200 seconds"],
[1,"835a4dce-ffe2-4680-be05-bfd35d644946","2020-01-02 03:47","jonas_rossi@conversations.im","מה טוב טוב טוב שלומך שלומך מה בוקר כן"]]);
