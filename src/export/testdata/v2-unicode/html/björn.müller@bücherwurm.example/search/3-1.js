ferrySearch.receive(3,1,[
[1,"24ccc176-9147-4521-8e3b-a0ec7f3162bd","2020-01-01 03:33","björn.müller@bücherwurm.example","line one\nline two\nline three"],
[1,"d720a53e-c701-4440-a97d-dae037ad48b6","2020-01-01 05:51","björn.müller@bücherwurm.example","'"],
[1,"289761e3-1967-462a-bb0a-75da6b334bf0","2020-01-01 07:41","elias_kim@conversations.im","😀👍🏽 family 👨‍👩‍👧‍👦 flags 🇩🇪🇫🇷 music 𝄞 CJK-B 𠜎𠜱 math 𝔸𝕓𝕔"],
[1,"cd70aa67-3b1a-487a-9c78-37450f7ec0fa","2020-01-01 11:16","björn.müller@bücherwurm.example",""],
[1,"a855a887-c1ab-4e5e-9818-a20a0fafd966","2020-01-01 12:31","björn.müller@bücherwurm.example","0"],
[1,"06a3ec91-ebc1-41e3-ab2d-48466742d811","2020-01-01 15:50","björn.müller@bücherwurm.example","9223372036854775807"],
[1,"a218f4b3-61f9-4e6c-969b-ab8699accfcf","2020-01-01 18:20","elias_kim@conversations.im","1e5"]]);
