ferrySearch.receive(2,1,[
[1,"880a6a96-a50c-4ada-9d97-ce5a35092509","2020-01-01 02:31","björn.müller@bücherwurm.example","It's Bob's \"quoted\" text with 'single' quotes and ''two'' in a row"],
[1,"aa3eb7de-76b3-44ee-9c92-406235a02d5c","2020-01-01 04:48","björn.müller@bücherwurm.example","windows line\r\nsecond windows line\r\n"],
[1,"782a7d24-9f09-49dd-a8c8-9cf8cb37e39f","2020-01-01 05:57","björn.müller@bücherwurm.example","''"],
[1,"4adbd5d1-e825-498a-a5b7-e85de78d164c","2020-01-01 08:32","björn.müller@bücherwurm.example","مرحبا بالعالم! كيف حالك؟ ١٢٣ and 123"],
[1,"ca6ff109-7139-4fb8-8824-7358998229ea","2020-01-01 11:50","björn.müller@bücherwurm.example","beforeafter"],
[1,"d526cf4a-d101-4c78-9641-e25ac95c42e2","2020-01-01 12:41","мария2008@blabber.im","007"],
[1,"d878134c-3407-497b-82a7-d05c4525c242","2020-01-01 15:55","björn.müller@bücherwurm.example","9223372036854775808"],
[1,"092f5a6e-0554-4d66-9dfb-859934c60484","2020-01-01 18:39","мария2008@blabber.im"," "]]);
