ferrySearch.receive(1,1,[
[1,"0aca81ba-3a7a-483c-9c01-6f4563f54c18","2020-01-01 03:21","δημήτρης@jabber.fr","old mac line\rsecond old mac line"],
[1,"d40015c3-3fa0-41ff-9139-1bda1a45e52e","2020-01-01 05:41","δημήτρης@jabber.fr","😀👍🏽 family 👨‍👩‍👧‍👦 flags 🇩🇪🇫🇷 music 𝄞 CJK-B 𠜎𠜱 math 𝔸𝕓𝕔"],
[1,"1a2ac65a-4325-4278-8ba7-cf5556656442","2020-01-01 07:46","alice@jabber.de",""],
[1,"8b1d06d8-b352-4606-b2d9-7fcbced010bb","2020-01-01 11:22","alice@jabber.de","9223372036854775807"],
[1,"f88ff296-e89e-4c16-b754-b8072846756c","2020-01-01 12:43","δημήτρης@jabber.fr","\t"],
[1,"65cbb12d-c844-43df-b958-51e0dfadf632","2020-01-01 15:23","alice@jabber.de","/me waves 👋"],
[1,"4c485343-c1cb-4e42-9bc0-baf0ed010a15","2020-01-01 18:05","δημήτρης@jabber.fr","%s %d %n {0} ${x} $(rm -rf /) `id`"],
[1,"828a7143-b049-4a42-a003-628a8e9071c3","2020-01-01 22:52","δημήτρης@jabber.fr","numeric ids"],
[1,"f27ae988-609e-4b1a-820e-a24ce18fe210","2020-01-02 01:10","δημήτρης@jabber.fr","with reactions"],
[1,"53688c0a-fcba-469b-b62e-3995b726c960","2020-01-02 02:07","alice@jabber.de","cake tonight message coming"],
[1,"77adf962-24ec-48a8-8f22-204465563a25","2020-01-02 04:59","δημήτρης@jabber.fr","увидимся завтра дела ладно спасибо"]]);
